# Watchdog: the virtual IP for real, inside a network namespace the test
# creates (root only).  The namespace has its own loopback and a veth pair
# (vip0/vip1) that leads nowhere else; three pgpools run inside it (ip netns
# exec) and reach PostgreSQL through its UNIX socket.  The leader's
# if_up_cmd ("ip addr add $_IP_$/24 dev vip0") puts the delegate IP on
# vip0, and clients inside the namespace query through it.  After kill -9
# of the leader (and its address taken off, as a dead host takes it away)
# the new leader's if_up_cmd brings it back: the time from the kill to the
# first client query through the VIP is printed.  A clean stop of the new
# leader runs if_down_cmd, and the last pgpool (no quorum) leaves it down.  The host's own interfaces are never touched, and
# the namespace is deleted at exit whatever happens.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time usleep);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Netns;
use PgpoolTest::Util qw(is_root spawn wait_until on_cleanup test_dir pg_bin pg_user slurp);

plan skip_all => 'the network namespace test needs root' unless is_root();
my $ns = PgpoolTest::Netns->create("pgpwd$$")
  or plan skip_all => '"ip netns add" is not available here';
$ns->run('ip link add vip0 type veth peer name vip1') == 0
  or plan skip_all => 'no veth interfaces in the network namespace';
$ns->run('ip link set vip0 up') == 0 && $ns->run('ip link set vip1 up') == 0 or BAIL_OUT('veth up failed');

my $vip = '192.0.2.100';		# TEST-NET-1, and only inside the namespace
my $class = PgpoolTest::Netns::netns_for(sub { $ns });

my $node = PgpoolTest::Node->new('node0')->init->start;
my $dir = test_dir();
my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [3, 2, 1], class => $class,
	pool_hba => ['local all all trust', 'host all all 0.0.0.0/0 trust'],
	conf => {
		listen_addresses => '*', backend_hostname0 => $node->{sockdir},
		delegate_ip => $vip, if_cmd_path => '/usr/sbin',
		if_up_cmd => 'ip addr add $_IP_$/24 dev vip0',
		if_down_cmd => 'ip addr del $_IP_$/24 dev vip0',
		arping_cmd => 'true', arping_path => '/bin',
	});
my @all = (0, 1, 2);
for my $i (@all) { ok($pp[$i]->start, "pgpool wd$i starts inside the namespace") or die "cannot continue"; }

sub vip_present { return $ns->has_address('vip0', $vip); }

# A client inside the namespace: one query through the VIP to a pgpool port.
sub vip_query
{
	my ($port) = @_;
	return $ns->capture("env PGCONNECT_TIMEOUT=2 ${\ pg_bin('psql')} -X -w -A -t -h $vip -p $port -U ${\ pg_user()} -d postgres -c 'select 42'") =~ /^42$/m;
}

ok(wait_until(sub { vip_present() }, 20), 'the leader put the delegate IP on vip0 inside the namespace');
like($pp[0]->log_content, qr/successfully acquired the delegate IP:"\Q$vip\E"/, 'wd0 (priority 3) acquired it');
ok(vip_query($pp[0]->port), 'a client inside the namespace queries through the VIP');
unlike(`ip -4 addr show`, qr/\Q$vip\E/, 'the host itself never has the address');

# --- kill -9 of the leader -------------------------------------------------------------
my $t0 = time();
PgpoolTest::Watchdog::signal_all($pp[0], 'KILL');
$ns->run("ip addr del $vip/24 dev vip0");	# a dead host takes its address with it
my $ok = wait_until(sub { vip_query($pp[1]->port) }, 20);
my $took = time() - $t0;
ok($ok, 'the client reconnects through the same address to the new leader');
diag(sprintf('kill -9 of the leader to the first client query through the VIP: %.1f s', $took));
ok($took <= 5 + 2, 'within deadtime + 2 s');
like($pp[1]->log_content, qr/successfully acquired the delegate IP:"\Q$vip\E"/, 'wd1 acquired the VIP');

# --- a clean stop of the new leader releases it; wd2 alone has no quorum --------------------
kill 'TERM', $pp[1]->pid;
ok(wait_until(sub { $pp[1]->log_content =~ /successfully released the delegate IP/ }, 15),
	'the stopping leader ran if_down_cmd');
ok(wait_until(sub { !vip_present() }, 5), 'the address is gone from vip0');
sleep 4;
ok(!vip_present(), 'wd2 alone (no quorum) does not take it');

done_testing();

# Watchdog: a real network partition (root only).  Each of three pgpools
# runs in its own network namespace with one interface, eth0, a veth whose
# other end is a port of a bridge in a fourth namespace; they talk over
# 192.0.2.0/24 (TEST-NET-1) and reach PostgreSQL through its UNIX socket.
# The delegate IP goes on the leader's eth0 (if_up_cmd).  The VIP holders
# are polled all along: at no moment may two namespaces hold it.
# - The leader's bridge port is set down: its eth0 loses the carrier, and
#   with wd_monitoring_interfaces_list = 'eth0' it goes IN NETWORK TROUBLE
#   at once and releases the VIP; the other two elect a new leader, which
#   takes it.  Link back: the old leader rejoins as STANDBY.
# - The new leader's port is taken off the bridge (its link stays up: only
#   heartbeat and watchdog traffic stop): it loses the quorum and releases
#   the VIP; the other two elect a leader that takes it.
# Nothing outside the namespaces is touched; they are deleted at exit.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time usleep);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Netns;
use PgpoolTest::Util qw(is_root wait_until on_cleanup test_dir);

plan skip_all => 'the network namespace test needs root' unless is_root();
my $br = PgpoolTest::Netns->create("pgpb$$")
  or plan skip_all => '"ip netns add" is not available here';
$br->run('ip link add br0 type bridge') == 0 or plan skip_all => 'no bridge in the network namespace';
$br->run('ip link set br0 up');
my @ns;
for my $i (0 .. 2)
{
	$ns[$i] = PgpoolTest::Netns->create("pgpn$$" . "x$i") or BAIL_OUT("cannot create namespace $i");
	$br->run("ip link add p$i type veth peer name eth0 netns ${\ $ns[$i]->name}") == 0
	  or plan skip_all => 'no veth interfaces across network namespaces';
	$br->run("ip link set p$i master br0") == 0 && $br->run("ip link set p$i up") == 0
	  or BAIL_OUT('bridge port setup failed');
	$ns[$i]->run("ip addr add 192.0.2.1$i/24 dev eth0") == 0 && $ns[$i]->run('ip link set eth0 up') == 0
	  or BAIL_OUT('eth0 setup failed');
}

my $vip = '192.0.2.100';

# pgpool wdI runs inside namespace I
my $class = PgpoolTest::Netns::netns_for(sub { my ($i) = $_[0]->{name} =~ /(\d+)$/; $ns[$i] });

my $node = PgpoolTest::Node->new('node0')->init->start;
my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [3, 2, 1], class => $class, deadtime => 3,
	pool_hba => ['local all all trust', 'host all all 0.0.0.0/0 trust'],
	conf => {
		(map { ("hostname$_" => "192.0.2.1$_", "heartbeat_hostname$_" => "192.0.2.1$_") } 0 .. 2),
		listen_addresses => '*', backend_hostname0 => $node->{sockdir},
		wd_monitoring_interfaces_list => 'eth0',
		delegate_ip => $vip, if_cmd_path => '/usr/sbin',
		if_up_cmd => 'ip addr add $_IP_$/24 dev eth0',
		if_down_cmd => 'ip addr del $_IP_$/24 dev eth0',
		arping_cmd => 'true', arping_path => '/bin',
	});

# Who holds the VIP now (indexes).
sub holders { return grep { $ns[$_]->has_address('eth0', $vip) } 0 .. 2; }

# The last state a pgpool logged for itself.
sub state_of { my @s = $_[0]->log_content =~ /watchdog node state changed from \[[^\]]*\] to \[([^\]]*)\]/g; return $s[-1] // ''; }

# Poll the holders every 50 ms until $cond is true or $timeout; returns
# (condition met, most holders seen at once).
sub watch
{
	my ($cond, $timeout) = @_;
	my $max = 0;
	my $end = time() + $timeout;
	while (time() < $end)
	{
		# the condition first: the holders sampled after it include what it saw
		my $met = $cond->();
		my @h = holders();
		diag(sprintf('%.2f: VIP held by wd%s', time(), join(' and wd', @h))) if @h > 1;
		$max = @h if @h > $max;
		return (1, $max) if $met;
		usleep(50_000);
	}
	return (0, $max);
}

for my $i (0 .. 2) { ok($pp[$i]->start, "pgpool wd$i starts in its namespace") or die "cannot continue"; }
my ($ok, $max) = watch(sub { join(',', holders()) eq '0' && state_of($pp[1]) eq 'STANDBY' && state_of($pp[2]) eq 'STANDBY' }, 30);
ok($ok, 'wd0 leads and holds the VIP, the others are STANDBY');
is($max, 1, 'never two VIP holders while starting');

# --- the leader's link goes down: IN NETWORK TROUBLE ----------------------------------------
my $t0 = time();
$br->run('ip link set p0 down');
($ok, $max) = watch(sub { join(',', holders()) eq '1' }, 20);
ok($ok, 'wd1 holds the VIP after wd0\'s link went down');
is($max, 1, 'never two VIP holders');
diag(sprintf('link down to the new leader holding the VIP: %.1f s', time() - $t0));
is(state_of($pp[0]), 'IN NETWORK TROUBLE', 'wd0 is IN NETWORK TROUBLE');
like($pp[0]->log_content, qr/every network interface in wd_monitoring_interfaces_list is down/, 'and says why');
like($pp[0]->log_content, qr/successfully released the delegate IP:"\Q$vip\E"/, 'wd0 released the VIP');
$br->run('ip link set p0 up');
($ok, $max) = watch(sub { state_of($pp[0]) eq 'STANDBY' }, 20);
ok($ok, 'link back: wd0 rejoins as STANDBY');
is($max, 1, 'never two VIP holders');
is(join(',', holders()), '1', 'wd1 keeps the VIP');

# --- the leader cut off with its link up: quorum lost --------------------------------------
$t0 = time();
$br->run('ip link set p1 nomaster');
($ok, $max) = watch(sub { join(',', holders()) eq '0' }, 30);
ok($ok, 'wd0 (priority 3) holds the VIP after wd1 was cut off');
is($max, 1, 'never two VIP holders');
diag(sprintf('partition to the new leader holding the VIP: %.1f s', time() - $t0));
like($pp[1]->log_content, qr/the leader node has lost the quorum: releasing the delegate IP/, 'wd1 lost the quorum and released it');
isnt(state_of($pp[1]), 'STANDBY', 'wd1 is no standby of a leader it cannot reach');
$br->run('ip link set p1 master br0');
($ok, $max) = watch(sub { state_of($pp[1]) eq 'STANDBY' }, 30);
ok($ok, 'healed: wd1 rejoins as STANDBY');
is($max, 1, 'never two VIP holders');
# wd0 gave the VIP up when it heard wd1 still claiming it; it takes it back once settled
ok(wait_until(sub { join(',', holders()) eq '0' }, 15), 'one holder: wd0') or diag join(',', holders());

done_testing();

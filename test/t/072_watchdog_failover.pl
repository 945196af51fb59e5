# Watchdog: backend failover across three pgpools over two PostgreSQL
# nodes (raw mode, health check every second), failover_require_consensus
# and failover_when_quorum_exists on (the defaults).
# - Only wd2 cannot log in to node 1 (its own health_check_user1 is a
#   NOLOGIN role): one vote of the two needed, node 1 stays up on the
#   others (quarantined on wd2: see 075) and failover_command never runs.
# - node 1 stopped: every health check fails, the leader gets the
#   consensus, node 1 is down on all three and failover_command ran once,
#   on the leader; pgpool_status says so on all three.
# - pcp_attach_node / pcp_detach_node on a standby apply cluster-wide.
# - A pgpool that was down while node 1 came back takes the leader's
#   status when it rejoins (its own pgpool_status said down).
# - With only one pgpool left (no quorum) a detach is refused.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Util qw(wait_until test_dir slurp);

my $dir = test_dir();
my $n0 = PgpoolTest::Node->new('node0')->init->start;
my $n1 = PgpoolTest::Node->new('node1')->init->start;
$n1->psql('CREATE ROLE hc_nologin NOLOGIN');
my @pp = PgpoolTest::Watchdog::make_cluster(3, [$n0, $n1], priority => [3, 2, 1],
	conf => {
		health_check_period => 1, health_check_timeout => 2, health_check_max_retries => 0,
	},
	each => [map { { failover_command => "echo %d wd$_ >> $dir/failover.log",
		$_ == 2 ? (health_check_user1 => 'hc_nologin') : () } } 0 .. 2]);
my @all = (0, 1, 2);
my $st = \&PgpoolTest::Watchdog::backend_status;

for my $i (@all) { ok($pp[$i]->start, "pgpool wd$i starts") or die "cannot continue"; }
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, @all)) }, 30), 'one leader, two standbys');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, @all), 0, 'wd0 leads');

# --- only one pgpool sees node 1 fail: no consensus ---------------------------------
ok(wait_until(sub { $pp[0]->log_content =~ /failover requires the majority vote, waiting for consensus/ }, 15),
	"the leader notes wd2's vote and waits for consensus");
like($pp[2]->log_content, qr/sending the failover request \[DEGENERATE_BACKEND_REQUEST\] for backend node 1 to the watchdog cluster leader node 0/,
	'wd2 sent its request to the leader');
sleep 3;
is_deeply([map { $st->($pp[$_], 1) } @all], [qw(up up quarantine)], 'node 1 stays up on wd0 and wd1, quarantined on wd2');
ok(!-e "$dir/failover.log", 'failover_command did not run');
unlike($pp[0]->log_content, qr/we have got the consensus/, 'no consensus');

# --- node 1 down for everybody: detached on all, failover_command once -----------------
$n1->stop('immediate');
ok(wait_until(sub { !grep { ($st->($pp[$_], 1) // '') ne 'down' } @all }, 20), 'node 1 is down on all three');
like($pp[0]->log_content, qr/we have got the consensus to perform the failover/, 'the leader got the consensus');
sleep 2;
is_deeply([PgpoolTest::Watchdog::log_lines('failover.log')], ['1 wd0'], 'failover_command ran once, on the leader');
for my $i (@all)
{
	like(slurp($pp[$i]->dir . '/pgpool_status'), qr/\Aup\ndown\n/, "wd$i: pgpool_status says node 1 is down");
}
like($pp[1]->log_content, qr/received the failover command \[DEGENERATE_BACKEND_REQUEST\] for backend node 1 from the watchdog cluster leader node 0/,
	'a standby applied the leader\'s command');

# --- manual actions on a standby apply cluster-wide ----------------------------------
$n1->start;
$n1->psql('ALTER ROLE hc_nologin LOGIN');	# else wd2 quarantines node 1 again
my $pcp1 = PgpoolTest::Pcp->new($pp[1]);
my ($rc, $out, $err) = $pcp1->legacy('pcp_attach_node', 1);
is($rc, 0, 'pcp_attach_node on the standby wd1') or diag $out, $err;
ok(wait_until(sub { !grep { ($st->($pp[$_], 1) // '') ne 'up' } @all }, 10), 'node 1 is up on all three');
($rc, $out, $err) = PgpoolTest::Pcp->new($pp[2])->legacy('pcp_detach_node', 1);
is($rc, 0, 'pcp_detach_node on the standby wd2 (no consensus needed)') or diag $out, $err;
is($st->($pp[2], 1), 'down', 'down on wd2 when the command returns');
ok(wait_until(sub { !grep { ($st->($pp[$_], 1) // '') ne 'down' } @all }, 10), 'node 1 is down on all three');
is_deeply([PgpoolTest::Watchdog::log_lines('failover.log')], ['1 wd0', '1 wd0'],
	'failover_command ran on the leader only');

# --- a pgpool that joins takes the leader's status ---------------------------------------
$pp[2]->stop;
ok(!$pp[2]->running, 'wd2 stops (its pgpool_status says node 1 is down)');
($rc) = PgpoolTest::Pcp->new($pp[0])->legacy('pcp_attach_node', 1);
is($rc, 0, 'node 1 attached through the leader');
ok(wait_until(sub { ($st->($pp[1], 1) // '') eq 'up' }, 10), 'up on wd1');
$pp[2]->set_conf(health_check_user1 => undef);
ok($pp[2]->start, 'wd2 restarts');
like($pp[2]->log_content, qr/node 1 is down according to/, 'wd2 starts with node 1 down (its pgpool_status)');
ok(wait_until(sub { ($st->($pp[2], 1) // '') eq 'up' }, 15), 'and takes the leader\'s status: up');
like($pp[2]->log_content, qr/taking the leader's backend status/, 'the log says why');

# --- without quorum nothing is detached -----------------------------------------------------
$pp[1]->stop;
$pp[2]->stop;
ok(wait_until(sub { (PgpoolTest::Watchdog::info($pp[0], '-v'))[1] =~ /QUORUM ABSENT/ }, 15), 'wd0 alone: no quorum');
($rc, $out, $err) = PgpoolTest::Pcp->new($pp[0])->legacy('pcp_detach_node', { timeout => 30 }, 1);
isnt($rc, 0, 'pcp_detach_node is refused');
like($err, qr/quorum/, 'because the cluster does not hold the quorum') or diag $err;
is($st->($pp[0], 1), 'up', 'node 1 stays up');
like($pp[0]->log_content, qr/failover requires the quorum to hold, which is not present at the moment/,
	'the log says so in the manual\'s words');

done_testing();

# Watchdog: quarantine.  Three pgpools over two PostgreSQL nodes (raw
# mode: sessions use the lowest node that is up), health check every
# second, failover_require_consensus on.
# - Only wd2 cannot log in to node 0 (its health_check_user0 is a NOLOGIN
#   role): the leader has one vote of the two needed, so wd2 quarantines
#   node 0: down for wd2 alone (its sessions go to node 1), "quarantine" in
#   pcp_node_info and SHOW pool_nodes, pgpool_status untouched, no
#   failover_command; the others keep using node 0.
# - The role may log in again: wd2's health check succeeds and lifts the
#   quarantine.
# - Quarantined again, then wd1 fails too: consensus, node 0 is detached
#   on all three (down, no longer quarantine), failover_command once.
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
$n0->psql('CREATE ROLE hcq1 LOGIN');
$n0->psql('CREATE ROLE hcq2 NOLOGIN');
my @pp = PgpoolTest::Watchdog::make_cluster(3, [$n0, $n1], priority => [3, 2, 1],
	conf => {
		health_check_period => 1, health_check_timeout => 2, health_check_max_retries => 0,
	},
	each => [map { { failover_command => "echo %d wd$_ >> $dir/failover.log",
		$_ == 1 ? (health_check_user0 => 'hcq1') : (),
		$_ == 2 ? (health_check_user0 => 'hcq2') : () } } 0 .. 2]);
my @all = (0, 1, 2);
my $st = \&PgpoolTest::Watchdog::backend_status;
my $port_via = sub { my ($rc, $out) = $_[0]->psql("SELECT current_setting('port')"); return $rc ? "error $rc" : $out; };

for my $i (@all) { ok($pp[$i]->start, "pgpool wd$i starts") or die "cannot continue"; }
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, @all)) }, 30), 'one leader, two standbys');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, @all), 0, 'wd0 leads');

# --- wd2 alone sees node 0 fail: quarantined on wd2 -------------------------------------
ok(wait_until(sub { ($st->($pp[2], 0) // '') eq 'quarantine' }, 20), 'wd2 quarantines node 0');
like($pp[2]->log_content,
	qr/degenerate backend request for 1 node\(s\) from pid \[\d+\], is changed to quarantine node request by watchdog\n.*DETAIL:  watchdog is taking time to build consensus/,
	'wd2 logs the request turned into a quarantine');
like($pp[2]->log_content, qr/starting quarantine\. shutdown host \S+\(\d+\)/, 'and the quarantine itself');
is_deeply([map { $st->($pp[$_], 0) } 0, 1], [qw(up up)], 'node 0 stays up on wd0 and wd1');
my ($rc, $out) = PgpoolTest::Pcp->new($pp[2])->opts('pcp_node_info', '-n', 0);
like($out, qr/^\S+ \d+ 3 \S+ quarantine /, 'pcp_node_info on wd2: status 3, "quarantine"');
($rc, $out) = $pp[2]->psql('SHOW pool_nodes');
like($out, qr/^0\|[^|]*\|\d+\|quarantine\|/m, 'SHOW pool_nodes on wd2: quarantine');
is($port_via->($pp[2]), $n1->port, 'wd2\'s sessions use node 1');
is($port_via->($pp[0]), $n0->port, 'wd0\'s sessions still use node 0');
is(slurp($pp[2]->dir . '/pgpool_status'), "up\nup\n", 'wd2\'s pgpool_status is not changed by a quarantine');
sleep 3;
is($st->($pp[2], 0), 'quarantine', 'still quarantined while the health check fails');
ok(!-e "$dir/failover.log", 'failover_command did not run');

# --- the health check succeeds again: the quarantine is lifted -------------------------------
$n0->psql('ALTER ROLE hcq2 LOGIN');
ok(wait_until(sub { ($st->($pp[2], 0) // '') eq 'up' }, 10), 'wd2 takes node 0 back');
like($pp[2]->log_content, qr/quarantine of node 0 is lifted/, 'the log says so');
is($port_via->($pp[2]), $n0->port, 'wd2\'s sessions use node 0 again');
ok(!-e "$dir/failover.log", 'no failover_command, no failback_command');

# --- quarantined again, then a second pgpool agrees: detached everywhere -------------------
$n0->psql('ALTER ROLE hcq2 NOLOGIN');
ok(wait_until(sub { ($st->($pp[2], 0) // '') eq 'quarantine' }, 10), 'wd2 quarantines node 0 again');
$n0->psql('ALTER ROLE hcq1 NOLOGIN');
ok(wait_until(sub { !grep { ($st->($pp[$_], 0) // '') ne 'down' } @all }, 20),
	'wd1 fails too: node 0 is down (not quarantined) on all three');
like($pp[0]->log_content, qr/we have got the consensus to perform the failover/, 'the leader got the consensus');
sleep 2;
is_deeply([PgpoolTest::Watchdog::log_lines('failover.log')], ['0 wd0'], 'failover_command ran once, on the leader');
for my $i (@all)
{
	is(slurp($pp[$i]->dir . '/pgpool_status'), "down\nup\n", "wd$i: pgpool_status says node 0 is down");
}
is($port_via->($pp[2]), $n1->port, 'sessions use node 1');

done_testing();

# Watchdog tools: wd_cli and --scope=cluster.
# - Three pgpools with wd_lifecheck_method = 'external': wd_cli --info
#   (all nodes, one node by id / port) through the IPC socket in
#   wd_ipc_socket_dir; wd_cli --inform DEAD on the two others makes a node
#   LOST for them, --inform ALIVE brings it back; a wrong auth key fails.
# - clear_memqcache_on_escalation: the leader empties its query cache.
# - pcp_reload_config --scope=cluster on one pgpool reloads all three;
#   pcp_stop_pgpool --scope=cluster stops all three.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Util qw(wait_until);
use PgpoolTest::Cache qw(cache_conf);

my $node = PgpoolTest::Node->new('node0')->init->start;
my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [3, 2, 1],
	conf => { wd_lifecheck_method => 'external', %{ cache_conf() } });
my @all = (0, 1, 2);
for my $i (@all) { ok($pp[$i]->start, "pgpool wd$i starts") or die "cannot continue"; }
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, @all)) }, 30), 'one leader, two standbys');

sub wd_cli
{
	my ($i, @args) = @_;
	return PgpoolTest::Pcp->new($pp[$i])->run('wd_cli', '-f', $pp[$i]->conf_file, @args);
}

# --- clear_memqcache_on_escalation (on by default) ----------------------------------------
ok(wait_until(sub { $pp[0]->log_content =~ /the query cache was cleared on escalation/ }, 10),
	'the leader emptied its query cache when it escalated');
unlike($pp[1]->log_content . $pp[2]->log_content, qr/cleared on escalation/, 'the standbys did not');

# --- --info ---------------------------------------------------------------------------
my ($rc, $out, $err) = wd_cli(1, '--info', '--all');
is($rc, 0, 'wd_cli --info --all') or diag $err;
like($out, qr/\ATotal Watchdog nodes configured for lifecheck:\s+3\n/, 'three nodes');
like($out, qr/Node ID:\s+0\nNode Status code:\s+4\nNode Status:\s+LEADER\n/, 'node 0 is LEADER');
like($out, qr/Node ID:\s+2\nNode Status code:\s+7\nNode Status:\s+STANDBY\nNode Name:\s+127\.0\.0\.1:${\ $pp[2]->port} Linux/,
	'node 2 is STANDBY, with its name');
($rc, $out) = wd_cli(0, '-i', '-n', 1);
like($out, qr/lifecheck:\s+1\n.*Node ID:\s+1\n/s, '-n picks one node');
($rc, $out, $err) = wd_cli(0, '-i', '-a', '-k', 'wrong-key');
isnt($rc, 0, 'a wrong auth key is refused');
like($err, qr/authentication failed/, 'and says so');

# --- --inform: the external lifecheck ---------------------------------------------------------
for my $i (0, 1)
{
	($rc, $out, $err) = wd_cli($i, '--inform', 'DEAD', '-n', 2, '-m', 'external check failed');
	is($rc, 0, "wd$i: --inform DEAD for node 2") or diag $err;
}
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{2} eq 'LOST' }, 10),
	'node 2 is LOST for the leader');
like($pp[0]->log_content, qr/watchdog node 2 is informed DEAD by the external lifecheck\n.*DETAIL:\s+message: external check failed/,
	'the log names the verdict and the message');
for my $i (0, 1) { wd_cli($i, '--inform', 'ALIVE', '-P', $pp[2]->{conf}{wd_port2}); }
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{2} eq 'STANDBY' }, 10),
	'ALIVE (node found by its watchdog port): STANDBY again');

# --- --scope=cluster ---------------------------------------------------------------------------
my @pos = map { $_->log_position } @pp;
my $pcp1 = PgpoolTest::Pcp->new($pp[1]);
($rc, $out, $err) = $pcp1->opts('pcp_reload_config', '-s', 'c');
is($rc, 0, 'pcp_reload_config --scope=cluster on wd1') or diag $err;
for my $i (@all)
{
	ok(wait_until(sub { substr($pp[$i]->log_content, $pos[$i]) =~ /reloading configuration files/ }, 10),
		"wd$i reloaded");
}
($rc, $out, $err) = PgpoolTest::Pcp->new($pp[2])->opts('pcp_stop_pgpool', '-m', 'fast', '--scope=cluster');
is($rc, 0, 'pcp_stop_pgpool --scope=cluster on wd2') or diag $err;
for my $i (@all)
{
	ok(wait_until(sub { !$pp[$i]->running }, 20), "wd$i stopped");
}
like($pp[0]->log_content, qr/received the shutdown command from pgpool-II node 2/, 'the log says who asked');

done_testing();

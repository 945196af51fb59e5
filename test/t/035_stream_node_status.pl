# Streaming replication mode: node status details pgpool-II 4.3 scripts
# rely on, on one primary and two standbys, in this order:
#
#   1. pgpool_status is read tolerantly: "up", "down", "unused" with blanks
#      around them;
#   2. SHOW pool_nodes pg_role: "unknown" with sr_check_period = 0, each
#      node's own pg_is_in_recovery() answer with the check on;
#   3. auto_failback: a detached standby that streams from the primary is
#      attached again (failback_command runs); auto_failback_interval
#      holds back a second failback of the same node;
#   4. follow_primary_command runs for every node but the new primary, the
#      detached old primary among them (pcp_promote_node);
#   5. the sr_check worker never moves the primary role while the primary
#      is attached: a standby promoted behind pgpool's back shows pg_role
#      primary, but writes still go to node 0.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Pcp;
use PgpoolTest::Stream qw(make_cluster stream_pgpool ports_in show_rows);
use PgpoolTest::Util qw(test_dir spew slurp chown_test wait_until tail_text);

my @nodes = make_cluster();
my ($n0, $n1, $n2) = @nodes;
my $dir = test_dir();
my $P = q{SELECT 'P', inet_server_port()};

sub nodes_view
{
	my ($pp, @cols) = @_;
	my @rows = show_rows($pp, 'SHOW pool_nodes', timeout => 30);
	return join(',', map { my $r = $_; join('/', map { $r->{$_} // '?' } @cols) } @rows);
}

# --- 1. pgpool_status with blanks -----------------------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-status');
	spew($pp->dir . '/pgpool_status', "up \n  down\t\nunused  \n");
	chown_test($pp->dir . '/pgpool_status');
	ok($pp->start, 'pgpool starts with a pgpool_status with blanks') or die "cannot continue";
	like(nodes_view($pp, 'status'), qr{^(up|waiting),down,(up|waiting)$},
		'"  down\t" keeps node 1 down; "up " and "unused  " leave nodes 0 and 2 up');
	like($pp->log_content, qr/node 1 is down according to/, 'the log says node 1 is down by the file');
	$pp->stop('fast');
}

# --- 2. pg_role -------------------------------------------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-pgrole-off', conf => { sr_check_period => 0 });
	ok($pp->start(args => ['-D']), 'pgpool with sr_check_period = 0');
	is(nodes_view($pp, 'role', 'pg_role'), 'primary/unknown,standby/unknown,standby/unknown',
		'sr_check_period = 0: pg_role is unknown on every node');
	$pp->stop('fast');

	$pp = stream_pgpool(\@nodes, name => 'pgpool-pgrole-on', conf => { sr_check_period => 1 });
	ok($pp->start(args => ['-D']), 'pgpool with sr_check_period = 1');
	my $view;
	ok(wait_until(sub {
		$view = nodes_view($pp, 'role', 'pg_role');
		$view eq 'primary/primary,standby/standby,standby/standby' }, 20),
		'pg_role is what each node answers') or diag $view;
	$pp->stop('fast');
}

# --- 3. auto_failback ---------------------------------------------------------------------------
{
	my $failback_log = "$dir/failback.log";
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-failback', conf => {
		sr_check_period => 1, auto_failback => 'on', auto_failback_interval => 8,
		failback_command => "echo failback %d >> $failback_log" });
	ok($pp->start(args => ['-D']), 'pgpool with auto_failback on, auto_failback_interval 8')
	  or die "cannot continue";
	my $pcp = PgpoolTest::Pcp->new($pp);
	my $from = $pp->log_position;
	my ($rc, $out, $err) = $pcp->opts('pcp_detach_node', '-n', 2);
	is($rc, 0, 'pcp_detach_node 2') or diag $err;
	ok(wait_until(sub { nodes_view($pp, 'status') =~ /,(up|waiting)$/ }, 20),
		'node 2, still streaming, is attached again') or diag tail_text(substr($pp->log_content, $from), 20);
	like(substr($pp->log_content, $from), qr/auto failback: node 2 streams from the primary node 0 again/,
		'the log says why');
	ok(wait_until(sub { -f $failback_log && slurp($failback_log) =~ /failback 2/ }, 10),
		'failback_command ran for node 2');

	$from = $pp->log_position;
	($rc, $out, $err) = $pcp->opts('pcp_detach_node', '-n', 2);
	is($rc, 0, 'pcp_detach_node 2 again, at once') or diag $err;
	sleep 3;
	like(nodes_view($pp, 'status'), qr/,down$/, 'within auto_failback_interval node 2 stays down');
	ok(wait_until(sub { nodes_view($pp, 'status') =~ /,(up|waiting)$/ }, 20),
		'after auto_failback_interval node 2 is attached again')
	  or diag tail_text(substr($pp->log_content, $from), 20);
	my ($r, $o) = $n0->psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
	is($o, 2, 'both standbys stream all along');
	$pp->stop('fast');
}

# --- 4. follow_primary_command for every node but the new primary --------------------------------
{
	my $follow_log = "$dir/follow.log";
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-follow', conf => {
		sr_check_period => 0,
		follow_primary_command => "echo follow %d new %m old %P >> $follow_log" });
	ok($pp->start(args => ['-D']), 'pgpool with follow_primary_command') or die "cannot continue";
	my $pcp = PgpoolTest::Pcp->new($pp);
	my ($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-n', 1);
	is($rc, 0, 'pcp_promote_node 1 (pgpool\'s view only)') or diag $err;
	ok(wait_until(sub { -f $follow_log && (() = slurp($follow_log) =~ /^follow/mg) >= 2 }, 20),
		'follow_primary_command ran twice') or diag tail_text($pp->log_content, 20);
	sleep 1;
	is_deeply([ sort split /\n/, slurp($follow_log) ],
		[ 'follow 0 new 1 old 0', 'follow 2 new 1 old 0' ],
		'for the detached old primary and for the other standby, not for the new primary');
	$pp->stop('fast');
}

# --- 5. the sr_check worker keeps the attached primary --------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-keep-primary', conf => {
		sr_check_period => 1, backend_weight0 => 1, backend_weight1 => 0, backend_weight2 => 0 });
	ok($pp->start(args => ['-D']), 'pgpool with sr_check_period = 1') or die "cannot continue";
	my ($r, $o) = $n2->psql('SELECT pg_promote()');
	is($o, 't', 'node 2 promoted behind pgpool\'s back');
	my $view;
	ok(wait_until(sub {
		$view = nodes_view($pp, 'role', 'pg_role');
		$view eq 'primary/primary,standby/standby,standby/primary' }, 20),
		'node 2 reports itself primary (pg_role), pgpool keeps node 0 as the primary (role)')
	  or diag $view;
	sleep 3;
	is(nodes_view($pp, 'role'), 'primary,standby,standby', 'still so after more checks');
	my ($rc, $out, $err) = $pp->psql("CREATE TABLE keep_primary (i int); INSERT INTO keep_primary VALUES (1) "
		  . "RETURNING 'P', inet_server_port()");
	is_deeply(ports_in($out), [0], 'writes still go to node 0') or diag $err;
	unlike($pp->log_content, qr/find_primary_node: primary node is 2/, 'no primary change logged');
	$pp->stop('fast');
}

done_testing();

# PGPOOL SHOW / SET / RESET (pgpool-II 3.6+) and PGPOOL SET CACHE DELETE,
# and log_client_messages.  In raw mode (the single-node relay) and in
# streaming replication mode (the multi-node relay), simple and extended
# protocol: values, session scope (one child, so the next session runs in
# the same process), the errors, and the LOG lines of each client message.
use strict;
use warnings;
use IO::Socket::INET;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool pq_extended_bin);
use PgpoolTest::Util qw(pg_user run_cmd);

my @nodes = make_cluster(standbys => 1);
my $raw = PgpoolTest::Pgpool->new(name => 'pgpool-raw', nodes => [ $nodes[0] ],
	conf => { num_init_children => 1 });
ok($raw->start, 'pgpool starts in raw mode') or die "cannot continue";
my $sr = stream_pgpool(\@nodes, conf => { num_init_children => 1, log_per_node_statement => 'off' });
ok($sr->start, 'pgpool starts in streaming replication mode') or die "cannot continue";

sub script
{
	my ($pp, $sql) = @_;
	return $pp->psql($sql, script => 1, args => [ '-q' ]);
}

for my $case ([ 'raw', $raw ], [ 'streaming', $sr ])
{
	my ($mode, $pp) = @$case;
	my ($rc, $out, $err) = $pp->psql('PGPOOL SHOW port',
		args => [ '-P', 'tuples_only=off', '-P', 'footer=off' ]);
	is($out, "port\n" . $pp->port, "$mode: PGPOOL SHOW port (column named after it)") or diag $err;
	($rc, $out, $err) = $pp->psql('pgpool show ALL');
	like($out, qr/^client_idle_limit\|0\|/m, "$mode: PGPOOL SHOW ALL lists every parameter");

	($rc, $out, $err) = script($pp, <<'EOS');
 /* leading comment */ PGPOOL SET client_idle_limit = 350;
PGPOOL SHOW client_idle_limit;
PGPOOL SET log_min_messages TO 'debug1';
PGPOOL SHOW log_min_messages;
PGPOOL RESET client_idle_limit;
PGPOOL SHOW client_idle_limit;
PGPOOL SET client_idle_limit TO 20;
PGPOOL SET client_idle_limit TO DEFAULT;
PGPOOL SHOW client_idle_limit;
PGPOOL SET check_temp_table = none;
PGPOOL RESET ALL;
PGPOOL SHOW check_temp_table;
EOS
	is($rc, 0, "$mode: PGPOOL SET / SHOW / RESET in one session") or diag $err;
	is($out, "350\ndebug1\n0\n0\ncatalog", "$mode: the values as set and reset");
	($rc, $out) = $pp->psql('PGPOOL SET client_idle_limit = 350', args => [ '-P', 'tuples_only=off' ]);
	is($out, 'SET', "$mode: the command tag is SET");
	($rc, $out) = $pp->psql('PGPOOL SHOW client_idle_limit');
	is($out, '0', "$mode: PGPOOL SET lasts one session (same child)");
	($rc, $out) = $pp->psql('PGPOOL SHOW log_min_messages');
	is($out, 'info', "$mode: log_min_messages back to the file's value");

	($rc, $out, $err) = $pp->psql('PGPOOL SET port = 1');
	like($err, qr/parameter "port" cannot be changed by PGPOOL SET/, "$mode: a restart parameter");
	($rc, $out, $err) = $pp->psql('PGPOOL SET no_such_param = 1');
	like($err, qr/unrecognized configuration parameter "no_such_param"/, "$mode: unknown name");
	($rc, $out, $err) = $pp->psql('PGPOOL SHOW no_such_param');
	like($err, qr/unrecognized configuration parameter "no_such_param"/, "$mode: SHOW unknown name");
	($rc, $out, $err) = $pp->psql('PGPOOL SET log_statement = maybe');
	like($err, qr/invalid value for parameter "log_statement": "maybe"/, "$mode: a bad value");
	($rc, $out, $err) = $pp->psql('PGPOOL SET');
	like($err, qr/syntax error in PGPOOL command/, "$mode: a syntax error");
	($rc, $out, $err) = $pp->psql(q{PGPOOL SET CACHE DELETE 'SELECT 1'});
	like($err, qr/query cache is not enabled/, "$mode: CACHE DELETE without the query cache");
	($rc, $out, $err) = $pp->psql('SELECT 1');
	is($out, '1', "$mode: the session works after the errors") or diag $err;

  SKIP:
	{
		my $bin = pq_extended_bin();
		skip 'test/tools/pq_extended is not built', 3 unless $bin;
		my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=postgres user=%s connect_timeout=10',
			$pp->port, pg_user());
		($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'PGPOOL SHOW port' ], timeout => 60);
		is($out, "port\n" . $pp->port . "\n", "$mode: extended protocol PGPOOL SHOW") or diag $err;
		($rc, $out, $err) = run_cmd([ $bin, '-n', 'st1', $conninfo, 'PGPOOL SET client_idle_limit = 9' ],
			timeout => 60);
		is($rc, 0, "$mode: extended protocol PGPOOL SET (named statement)") or diag $err;
		($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'PGPOOL SET port = 1' ], timeout => 60);
		like($err, qr/cannot be changed by PGPOOL SET/, "$mode: extended protocol error");
	}
}

# --- log_client_messages ------------------------------------------------------------------
$nodes[0]->query('CREATE TABLE IF NOT EXISTS lcm (i int)');
for my $case ([ 'raw', $raw ], [ 'streaming', $sr ])
{
	my ($mode, $pp) = @$case;
	my $from = $pp->log_position;
	my ($rc, $out, $err) = script($pp, <<'EOS');
PGPOOL SET log_client_messages = on;
SELECT 41 + 1;
\copy lcm from stdin
1
2
\.
EOS
	is($rc, 0, "$mode: a session with log_client_messages on") or diag $err;
	ok($pp->wait_for_log(qr/Terminate message from frontend\./, 20, $from), "$mode: Terminate logged");
	my $log = substr($pp->log_content, $from);
	like($log, qr/LOG:\s+Query message from frontend\.\n.*DETAIL:\s+query: "SELECT 41 \+ 1;"/,
		"$mode: Query message with its text");
	like($log, qr/CopyData message from frontend\.\n.*DETAIL:\s+count: 1\n/, "$mode: CopyData with its count");
	like($log, qr/CopyDone message from frontend\./, "$mode: CopyDone");
	$from = $pp->log_position;
	($rc, $out) = $pp->psql('SELECT 1');
	unlike(substr($pp->log_content, $from), qr/message from frontend/, "$mode: off again in the next session");
}

# extended protocol and cancel, with the parameter on in the file
$sr->set_conf(log_client_messages => 'on');
$sr->reload;
SKIP:
{
	my $bin = pq_extended_bin();
	skip 'test/tools/pq_extended is not built', 5 unless $bin;
	sleep 2;
	my $from = $sr->log_position;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=postgres user=%s connect_timeout=10',
		$sr->port, pg_user());
	my ($rc, $out, $err) = run_cmd([ $bin, '-n', 'p1', '-p', '5', $conninfo, 'SELECT $1::int + 1' ],
		timeout => 60);
	is($rc, 0, 'extended protocol with log_client_messages') or diag $err;
	ok($sr->wait_for_log(qr/Terminate message from frontend\./, 20, $from), 'Terminate logged');
	my $log = substr($sr->log_content, $from);
	like($log, qr/Parse message from frontend\.\n.*DETAIL:\s+statement: "p1", query: "SELECT \$1::int \+ 1"/,
		'Parse with statement and query');
	like($log, qr/Bind message from frontend\.\n.*DETAIL:\s+portal: "", statement: "p1"/, 'Bind');
	like($log, qr/Execute message from frontend\.\n.*DETAIL:\s+portal: ""/, 'Execute');
}
{
	my $from = $sr->log_position;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $sr->port, Timeout => 10);
	ok($sock, 'connect for a cancel request');
	print $sock pack('NNNN', 16, 80877102, 424242, 7) if $sock;
	close $sock if $sock;
	ok($sr->wait_for_log(qr/Cancel message from frontend\.\n.*DETAIL:\s+process id: 424242/, 20, $from),
		'Cancel message with the process id');
}

# --- SHOW pool_nodes: pg_status / pg_role, and no login without a user and database ---------
{
	my $before = length($nodes[0]->log_content);
	my ($rc, $out, $err) = $sr->psql('SHOW pool_nodes');
	my @rows = map { [ split /\|/, $_, -1 ] } split /\n/, $out;
	is_deeply([ map { $_->[4] } @rows ], [ 'up', 'up' ], 'streaming: pg_status up') or diag "$out$err";
	is_deeply([ map { $_->[7] } @rows ], [ 'unknown', 'unknown' ],
		'streaming: pg_role unknown with sr_check_period = 0');
	($rc, $out, $err) = $raw->psql('SHOW pool_nodes');
	@rows = map { [ split /\|/, $_, -1 ] } split /\n/, $out;
	is($rows[0][4], 'up', 'raw (no check user): pg_status up');
	is($rows[0][7], $rows[0][6], 'raw: pg_role equals role');
	sleep 1;
	unlike(substr($nodes[0]->log_content, $before), qr/FATAL:.*does not exist/,
		'SHOW pool_nodes opens no connection without a database and user');
}

done_testing();

# Streaming replication mode: client sessions survive a primary failover
# (kill -9 of the primary's postmaster, sample/failover.sh promotes the
# standby), one primary and one standby:
#
#   1. idle sessions of psql (SET application_name, a custom GUC, SQL
#      PREPARE of a read and of a write), libpq (SET, named statements via
#      PQprepare, LISTEN) and pgJDBC (SET, a PreparedStatement run often
#      enough to become a named server-side statement, LISTEN) go on: their
#      next statements run on the new primary, with their SETs, prepared
#      statements and LISTEN channels;
#   2. a session idle inside a transaction gets SQLSTATE 40001 for its next
#      statement, 25P02 until its ROLLBACK, and then works on the new primary;
#   3. a statement in flight on the primary outside a transaction gets
#      SQLSTATE 08007 and the session goes on;
#   4.-5. a session whose backends timed out reconnects; pg_terminate_backend
#      still ends a session;
#   6. a fast restart of the primary (its backends end with the same FATAL
#      as pg_terminate_backend) does not end an idle session.
use strict;
use warnings;
use Test::More;
use IPC::Run ();
use Time::HiRes qw(sleep);
use PgpoolTest::Background;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool sample_script show_rows);
use PgpoolTest::Util qw(pg_bin pg_user as_test_user test_dir spew slurp chown_test wait_until
  kill_pid tail_text);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
$n0->query('CREATE TABLE t (id int)', db => 'testdb');
$n0->wait_replay($n1);

my $esc = '%d %h %p %D %m %H %M %P %r %R %N %S';
my $failover_sh = sample_script('failover.sh');
my $pgbin = pg_bin();
my $pp = stream_pgpool(\@nodes, conf => {
	# tolerant health checks: a busy machine must not detach the new primary
	health_check_period => 1, health_check_timeout => 5, health_check_retry_delay => 1,
	health_check_max_retries => 3, sr_check_period => 1, num_init_children => 8 });
$pp->set_conf(failover_command => "PGBIN=$pgbin $failover_sh $esc");
ok($pp->start, 'pgpool starts in streaming mode') or die "cannot continue";
my $port = $pp->port;
my $user = pg_user();

# --- interactive clients -------------------------------------------------------------------
# A program reading commands from stdin, run as the test user; its stdout
# and stderr are collected together.
sub client
{
	my (@cmd) = @_;
	my $c = { in => '', out => '' };
	$c->{timer} = IPC::Run::timer(120);
	$c->{h} = IPC::Run::start(\@cmd,
		init => sub { PgpoolTest::Util::exec_defaults(); as_test_user(); },
		'<', \$c->{in}, '>', \$c->{out}, '2>', \$c->{out}, $c->{timer});
	return $c;
}

# Send $text, wait until the output shows every marker on a line of its
# own; returns what came before them (and removes it from the buffer).
sub talk
{
	my ($c, $text, $marker, $timeout) = @_;
	my @markers = ref $marker ? @$marker : ($marker);
	$c->{in} .= $text;
	$c->{timer}->start($timeout // 90);
	my $ok = eval {
		$c->{h}->pump until !grep { $c->{out} !~ /^\Q$_\E$/m } @markers;
		1;
	};
	my $all = $c->{out};
	return "[no @markers: " . ($@ || 'ended') . "]\n$all" unless $ok;
	# everything up to the last marker, without the marker lines
	my $end = 0;
	for my $m (@markers)
	{
		$c->{out} =~ /^\Q$m\E\n/mg;
		$end = pos($c->{out}) if pos($c->{out}) > $end;
		pos($c->{out}) = undef;
	}
	my $got = substr($c->{out}, 0, $end, '');
	$got =~ s/^\Q$_\E\n//m for @markers;
	$c->{seen} .= $got;
	return $got;
}

sub finish_client
{
	my ($c) = @_;
	$c->{in} .= "\n";
	eval { $c->{h}->kill_kill(grace => 2) };
}

my $seq = 0;
sub psql_client
{
	my $c = client(pg_bin('psql'), '-X', '-A', '-t', '-q', '-h', '127.0.0.1', '-p', $port,
		'-U', $user, '-d', 'testdb', '-v', 'VERBOSITY=verbose');
	return $c;
}

sub psql_talk
{
	my ($c, $sql) = @_;
	$seq++;
	# results on stdout, errors on stderr: a marker on each, so both are complete
	return talk($c, "$sql\n\\echo __done$seq\n\\warn __warn$seq\n", [ "__done$seq", "__warn$seq" ]);
}

sub pq_talk { my ($c, $cmd) = @_; return talk($c, "$cmd\n", 'END'); }

# --- 1. the clients, idle when the primary fails --------------------------------------------
my $psql = psql_client();
my $setup = psql_talk($psql, <<'EOS');
SET application_name = 'fo_psql';
SET myapp.x = '42';
PREPARE p(int) AS SELECT $1 + 1;
PREPARE w(int) AS INSERT INTO t VALUES ($1) RETURNING inet_server_port();
EXECUTE w(1);
EOS
is($setup, $n0->port . "\n", 'psql: session set up, the prepared write ran on node 0');

my $pq_bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_session';
my $pq;
SKIP:
{
	skip 'test/tools/pq_session is not built (make test/tools/pq_session)', 1 unless -x $pq_bin;
	my $copy = test_dir() . '/pq_session';
	system('cp', $pq_bin, $copy);
	chown_test($copy);
	$pq = client($copy, "host=127.0.0.1 port=$port user=$user dbname=testdb");
	my $out = pq_talk($pq, "exec SET myapp.y = 'libpq'") . pq_talk($pq, 'exec LISTEN chan_libpq')
	  . pq_talk($pq, "prepare ins INSERT INTO t VALUES (\$1::int) RETURNING inet_server_port()")
	  . pq_talk($pq, "prepare rd SELECT current_setting('myapp.y') || \$1::text")
	  . pq_talk($pq, 'execp ins 2');
	like($out, qr/\A(STATUS I\n){4}${\ $n0->port}\nSTATUS I\n\z/, 'libpq: SET, LISTEN, two named statements, a write on node 0')
	  or diag $out;
}

my $jar = '/usr/share/java/postgresql.jar';
my $java = `sh -c 'command -v java' 2>/dev/null`;
chomp $java;
my $jdbc;
SKIP:
{
	skip 'JDBC: java or /usr/share/java/postgresql.jar missing (apt-get install openjdk-17-jdk-headless libpostgresql-jdbc-java)', 1
	  unless $java && -r $jar;
	my $src = test_dir() . '/JdbcSession.java';
	spew($src, slurp(($ENV{PGPOOL_SRCDIR} // '.') . '/test/tools/JdbcSession.java'));
	chown_test($src);
	$jdbc = client($java, '-cp', $jar, $src, "jdbc:postgresql://127.0.0.1:$port/testdb", $user);
	my $ready = talk($jdbc, '', 'READY', 120);
	my $out = pq_talk($jdbc, "exec SET myapp.z = 'jdbc'") . pq_talk($jdbc, 'exec LISTEN chan_jdbc')
	  . pq_talk($jdbc, 'prepare INSERT INTO t VALUES (?) RETURNING inet_server_port()')
	  . pq_talk($jdbc, 'run 6 3');
	is($out, $n0->port . "\n", 'JDBC: SET, LISTEN, a PreparedStatement run 6 times on node 0')
	  or diag "$ready$out";
}

# a session whose backends end while it is idle (before the failover)
my $idle = psql_client();
my $idle_out = psql_talk($idle, "SET myapp.w = 'idle';\nPREPARE q AS SELECT 7;\nSET idle_session_timeout = '1s';");
is($idle_out, '', 'a third psql sets idle_session_timeout = 1s');
sleep 2;
ok($pp->wait_for_log(qr/continues without DB node 1: its connection broke/, 10),
	'... its backends time out: the session forgets them');

# --- 2. a session inside a transaction ---------------------------------------------------
my $tx = psql_client();
my $in_tx = psql_talk($tx, "BEGIN;\nINSERT INTO t VALUES (1000);");
is($in_tx, '', 'a second psql is idle inside a transaction that wrote');

# --- 3. a statement in flight on the primary, outside a transaction ----------------------------
my $script = test_dir() . '/inflight.sql';
spew($script, "\\set VERBOSITY verbose\nINSERT INTO t SELECT 2000 FROM pg_sleep(60);\n"
	. "SELECT 'after', inet_server_port();\n");
chown_test($script);
my $bg = PgpoolTest::Background->start([pg_bin('psql'), '-X', '-A', '-t', '-h', '127.0.0.1',
	'-p', $port, '-U', $user, '-d', 'testdb', '-f', $script]);
ok(wait_until(sub { $n0->query(q{SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO t SELECT 2000%'}) == 1 }, 20),
	'a long INSERT runs on node 0');

# --- the primary fails ----------------------------------------------------------------------
my $from = $pp->log_position;
my ($pm) = slurp($n0->datadir . '/postmaster.pid') =~ /^(\d+)/;
ok(kill_pid('KILL', $pm), "kill -9 of node 0's postmaster");
ok(wait_until(sub { my ($rc, $o) = $n1->psql('SELECT pg_is_in_recovery()'); !$rc && $o eq 'f' }, 60),
	'failover_command promoted node 1') or diag tail_text(substr($pp->log_content, $from), 30);

# the in-flight statement
my ($rc, $bgout, $bgerr) = $bg->finish(90);
like($bgerr, qr/ERROR:\s+08007: primary DB node 0 failed while the statement ran/,
	'the statement in flight got SQLSTATE 08007') or diag "rc=$rc\n$bgout\n$bgerr";
like($bgout, qr/^after\|${\ $n1->port}$/m, '... and its session ran the next statement on node 1')
  or diag "$bgout\n$bgerr";

# psql
my $out = psql_talk($psql, q{SELECT inet_server_port(), current_setting('application_name'), current_setting('myapp.x');});
is($out, $n1->port . "|fo_psql|42\n", 'psql: the idle session runs on node 1 with its SETs')
  or diag $out, tail_text(substr($pp->log_content, $from), 30);
$out = psql_talk($psql, "EXECUTE p(1);\nEXECUTE w(4);");
is($out, "2\n" . $n1->port . "\n", 'psql: its PREPAREd read and write run (the write on node 1)') or diag $out;
unlike($psql->{seen} . $psql->{out}, qr/connection.*lost|reset/i, 'psql never lost its connection');

# libpq
SKIP:
{
	skip 'no libpq client', 3 unless $pq;
	$out = pq_talk($pq, q{exec SELECT pg_is_in_recovery(), current_setting('myapp.y'), inet_server_port()});
	is($out, "f|libpq|${\ $n1->port}\nSTATUS I\n", 'libpq: the idle session runs on the new primary with its SET')
	  or diag $out;
	$out = pq_talk($pq, 'execp ins 5') . pq_talk($pq, 'execp rd !');
	is($out, $n1->port . "\nSTATUS I\nlibpq!\nSTATUS I\n", 'libpq: both named statements run') or diag $out;
	$n1->query(q{NOTIFY chan_libpq, 'hello'}, db => 'testdb');
	$out = pq_talk($pq, 'notifies 10');
	like($out, qr/^NOTIFY chan_libpq hello$/m, 'libpq: a NOTIFY on the new primary reaches the LISTENing session')
	  or diag $out;
}

# JDBC
SKIP:
{
	skip 'no JDBC client', 3 unless $jdbc;
	$out = pq_talk($jdbc, q{exec SELECT pg_is_in_recovery(), current_setting('myapp.z'), inet_server_port()});
	is($out, "f|jdbc|${\ $n1->port}\n", 'JDBC: the idle session runs on the new primary with its SET') or diag $out;
	$out = pq_talk($jdbc, 'run 2 6');
	is($out, $n1->port . "\n", 'JDBC: its server-side prepared statement runs on node 1') or diag $out;
	$n1->query(q{NOTIFY chan_jdbc, 'hi'}, db => 'testdb');
	$out = pq_talk($jdbc, 'notifies 10');
	like($out, qr/^NOTIFY chan_jdbc hi$/m, 'JDBC: a NOTIFY on the new primary reaches the LISTENing session')
	  or diag $out;
}

# the transaction
$out = psql_talk($tx, 'INSERT INTO t VALUES (1001);');
like($out, qr/ERROR:\s+40001: the transaction was aborted because primary DB node 0 failed/,
	'the session inside a transaction gets SQLSTATE 40001') or diag $out;
$out = psql_talk($tx, 'SELECT 1;');
like($out, qr/ERROR:\s+25P02:/, '... then 25P02 until the transaction ends') or diag $out;
$out = psql_talk($tx, "ROLLBACK;\nBEGIN;\nINSERT INTO t VALUES (1002);\nCOMMIT;\n"
	. 'SELECT inet_server_port(), count(*) FROM t WHERE id >= 1000;');
is($out, $n1->port . "|1\n", '... ROLLBACK works and the next transaction commits on node 1')
  or diag $out;

# --- 4. a session whose connections broke before the failover (idle_session_timeout) -----------
# It holds no connection when the new primary comes up: pgpool connects to
# node 1 and replays its SETs; its PREPARE is prepared there on demand.
$out = psql_talk($idle, q{SELECT current_setting('myapp.w'), current_setting('idle_session_timeout'), inet_server_port();}
	. "\nEXECUTE q;");
is($out, "idle|1s|${\ $n1->port}\n7\n",
	'psql whose backends timed out: a new connection to node 1 has its SETs and PREPARE') or diag $out;

my $log = substr($pp->log_content, $from);
like($log, qr/session of user "\Q$user\E" continues on new primary DB node 1 after DB node 0 failed/,
	'the log says the sessions continue on the new primary');
unlike($log, qr/terminating connection because DB node 0|unable to read data from DB node/,
	'no session was ended') or diag tail_text($log, 40);

# --- 5. pg_terminate_backend of a session's backend on the primary ends it, as before -------------
SKIP:
{
	skip 'no libpq client', 2 unless $pq;
	$n1->query(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
		AND query LIKE 'SELECT current_setting(%'});
	$out = pq_talk($pq, 'exec SELECT 1');
	like($out, qr/administrator command/, 'libpq: the client sees the FATAL of its terminated backend') or diag $out;
	like($out, qr/STATUS \?/, '... and its session is over') or diag $out;
}

# --- 6. a fast restart of the primary: its backends say "administrator command" too ---------------
# (pg_ctl restart -m fast) but the server takes no connections: the idle
# session waits for it and goes on there with its SETs.
my $rs = psql_client();
is(psql_talk($rs, "SET myapp.r = 'restart';"), '', 'a psql session sets myapp.r');
$from = $pp->log_position;
ok($n1->restart, 'pg_ctl restart -m fast of the primary (node 1)');
$out = psql_talk($rs, q{SELECT current_setting('myapp.r'), inet_server_port();});
is($out, "restart|${\ $n1->port}\n", 'psql: the session goes on with the restarted primary and its SET')
  or diag $out, tail_text(substr($pp->log_content, $from), 30);
like(substr($pp->log_content, $from), qr/DB node 1 is shutting down: the session of user "\Q$user\E" does not end/,
	'the log says why the session did not end');

finish_client($_) for grep { $_ } ($psql, $tx, $idle, $pq, $jdbc, $rs);
$pp->stop('fast');
done_testing();

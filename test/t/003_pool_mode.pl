# Connection-pool mode: pgbench, backend reuse per user/database, session
# state reset between clients, databases that are never pooled,
# child_max_connections, client_idle_limit and queueing for a free child.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;

my $node = PgpoolTest::Node->new('node0')->init->start;
$node->query('create database testdb2');
my $default_work_mem = $node->query('show work_mem');

my $pp = PgpoolTest::Pgpool->new(nodes => [$node], conf => { connection_cache => 'on' });
ok($pp->start, 'pgpool starts in pool mode') or die "cannot continue";

# Restart pgpool with other parameters.
sub restart_with
{
	my (%conf) = @_;
	$pp->stop('fast');
	$pp->set_conf(%conf);
	ok($pp->start, 'pgpool restarts with ' . join(', ', map { "$_ = $conf{$_}" } sort keys %conf))
	  or die "cannot continue";
}

sub backend_pid
{
	my ($db) = @_;
	my ($rc, $out, $err) = $pp->psql('select pg_backend_pid()', db => $db);
	diag "select pg_backend_pid() on $db failed: $err" if $rc;
	return $rc ? "error($rc)" : $out;
}

# --- pgbench -----------------------------------------------------------------
{
	my ($rc, $out, $err) = $pp->pgbench('-i', '-q', 'testdb');
	is($rc, 0, 'pool: pgbench -i') or diag $err;
	for my $args (['-M', 'simple'], ['-M', 'extended'], ['-M', 'prepared'], ['-C'])
	{
		my $name = "pool: pgbench @$args";
		($rc, $out, $err) = $pp->pgbench('-n', '-c', '4', '-j', '2', '-t', '200', @$args, 'testdb');
		is($rc, 0, "$name exits 0") or diag $out . $err;
		like($out, qr/number of transactions actually processed: 800\/800/, "$name processed 800/800");
		like($out, qr/number of failed transactions: 0 /, "$name: 0 failed transactions");
	}
}

# --- one child: backend reuse and reset ---------------------------------------
restart_with(num_init_children => 1, max_pool => 2);
{
	my $p1 = backend_pid('testdb');
	my $p2 = backend_pid('testdb');
	like($p1, qr/^\d+$/, 'first session got a backend');
	is($p2, $p1, 'second session of the same user/database reuses the backend');
	my $p3 = backend_pid('testdb2');
	isnt($p3, $p1, 'a session to another database gets another backend');
	is(backend_pid('testdb'), $p1, 'testdb backend still pooled after a testdb2 session');

	my ($rc, $out, $err) = $pp->psql("set work_mem = '77MB';\ncreate temp table pool_tmp (a int);\n"
		  . "select pg_backend_pid();\n", db => 'testdb', script => 1);
	my ($pid_a) = $out =~ /^(\d+)$/m;
	is($rc, 0, 'session sets work_mem and creates a temp table') or diag $err;
	($rc, $out, $err) = $pp->psql("select pg_backend_pid();\nshow work_mem;\n", db => 'testdb', script => 1);
	my ($pid_b, $wm) = split /\n/, $out;
	is($pid_b, $pid_a, 'next session is served by the same pooled backend');
	is($wm, $default_work_mem, 'SET of the previous session was reset');
	($rc, $out, $err) = $pp->psql('select * from pool_tmp', db => 'testdb');
	isnt($rc, 0, 'temp table of the previous session is gone');
	like($err, qr/does not exist/, 'selecting it fails with "does not exist"');

	my $q1 = backend_pid('postgres');
	my $q2 = backend_pid('postgres');
	like($q1, qr/^\d+$/, 'session to postgres works');
	isnt($q2, $q1, 'sessions to database postgres are not pooled');
}

# --- child_max_connections ----------------------------------------------------
restart_with(num_init_children => 1, child_max_connections => 2);
{
	# pgpool's readiness probe may have used the child's first connection,
	# so look for the first recycle, then check a whole cycle after it.
	my @p = map { backend_pid('testdb') } 1 .. 5;
	my ($k) = grep { $p[$_] ne $p[ $_ - 1 ] } 1 .. 2;
	ok($k, 'the only child was recycled within the first three sessions') or diag "@p";
	$k //= 1;
	like($p[$k], qr/^\d+$/, 'session after the recycle was served');
	is($p[ $k + 1 ], $p[$k], 'two sessions of a fresh child share the pooled backend');
	isnt($p[ $k + 2 ], $p[ $k + 1 ], 'child recycled after child_max_connections = 2: next session has a new backend');
}

# --- client_idle_limit -------------------------------------------------------
restart_with(num_init_children => 2, child_max_connections => 0, client_idle_limit => 2);
{
	my $pos = $pp->log_position;
	my ($rc, $out, $err) = $pp->psql("select 1;\n\\! sleep 4\nselect 2;\n", db => 'testdb',
		script => 1, timeout => 60);
	isnt($rc, 0, 'session idle for 4 s with client_idle_limit = 2 is disconnected');
	like($out, qr/^1$/m, 'the first statement ran');
	unlike($out, qr/^2$/m, 'the statement after the idle period did not');
	ok($pp->wait_for_log(qr/client_idle_limit/, 10, $pos), 'log mentions client_idle_limit');
	($rc, $out) = $pp->psql('select 5', db => 'testdb');
	is($out, '5', 'a new session works afterwards');
}

# --- a client waits for a free child ------------------------------------------
restart_with(num_init_children => 2, client_idle_limit => 0);
{
	my @busy = map { PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(3), $_",
		db => 'testdb') } 1 .. 2;
	my $seen = PgpoolTest::Util::wait_until(sub {
		my ($r, $o) = $node->psql("select count(*) from pg_stat_activity where query like 'select pg_sleep(3)%'");
		$o eq '2' }, 20);
	ok($seen, 'both children busy');
	my ($rc, $out, $err) = $pp->psql('select 3', db => 'testdb', timeout => 60,
		env => { PGCONNECT_TIMEOUT => 30 });
	is($out, '3', 'a third client waits and is then served') or diag "rc $rc: $err";
	for my $i (0, 1)
	{
		my ($brc, $bout, $berr) = $busy[$i]->finish(20);
		is($brc, 0, 'busy session ' . ($i + 1) . ' completed') or diag $berr;
	}
}

done_testing();

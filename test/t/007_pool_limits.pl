# Connection-pool limits: max_pool evicts the oldest pooled connection,
# connection_life_time closes idle pooled connections, child_life_time
# recycles an idle child.  One child only, so every session meets the same
# pool.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util;

my $node = PgpoolTest::Node->new('node0')->init->start;
$node->query("create database db_a");
$node->query("create database db_b");

my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { connection_cache => 'on', num_init_children => 1, max_pool => 1 });
ok($pp->start, 'pgpool starts with one child and max_pool = 1') or die "cannot continue";

sub backend_pid
{
	my ($db) = @_;
	my ($rc, $out, $err) = $pp->psql('select pg_backend_pid()', db => $db);
	diag "select pg_backend_pid() on $db failed: $err" if $rc;
	return $rc ? "error($rc)" : $out;
}

sub restart_with
{
	my (%conf) = @_;
	$pp->stop('fast');
	$pp->set_conf(%conf);
	ok($pp->start, 'pgpool restarts with ' . join(', ', map { "$_ = $conf{$_}" } sort keys %conf))
	  or die "cannot continue";
}

# --- max_pool: the oldest pooled connection makes room -------------------------
{
	my $a1 = backend_pid('db_a');
	is(backend_pid('db_a'), $a1, 'max_pool = 1: the same database reuses the pooled backend');
	my $b1 = backend_pid('db_b');
	isnt($b1, $a1, 'another database needs another backend');
	isnt(backend_pid('db_a'), $a1, 'with one slot, db_a\'s connection was closed to make room for db_b');
}
restart_with(max_pool => 2);
{
	my $a1 = backend_pid('db_a');
	my $b1 = backend_pid('db_b');
	is(backend_pid('db_a'), $a1, 'max_pool = 2: db_a stays pooled next to db_b');
	is(backend_pid('db_b'), $b1, '... and so does db_b');
}

# --- connection_life_time -------------------------------------------------------
restart_with(max_pool => 2, connection_life_time => 2);
{
	my $a1 = backend_pid('db_a');
	is(backend_pid('db_a'), $a1, 'within connection_life_time the backend is reused');
	sleep 4;
	my $a2 = backend_pid('db_a');
	like($a2, qr/^\d+$/, 'a session after the idle period is served');
	isnt($a2, $a1, 'a pooled connection idle past connection_life_time = 2 was closed');
	ok(PgpoolTest::Util::wait_until(sub {
		my ($rc, $out) = $node->psql("select count(*) from pg_stat_activity where pid = $a1");
		$out eq '0' }, 10), 'the expired backend process is gone from the server');
}

# --- child_life_time ------------------------------------------------------------
restart_with(max_pool => 2, connection_life_time => 0, child_life_time => 2);
{
	my $a1 = backend_pid('db_a');
	my @before = $pp->child_pids(qr/wait for connection request/);
	sleep 5;
	my @after;
	ok(PgpoolTest::Util::wait_until(sub {
		@after = $pp->child_pids(qr/wait for connection request/);
		@after && "@after" ne "@before" }, 10), 'the child idle past child_life_time = 2 was replaced')
	  or diag "before @before, after @after";
	my $a2 = backend_pid('db_a');
	like($a2, qr/^\d+$/, 'the new child serves clients');
	isnt($a2, $a1, 'the new child has its own backend connections');
}

done_testing();

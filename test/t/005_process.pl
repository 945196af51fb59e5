# The process tree: child titles, respawn after kill -9, smart versus fast
# shutdown with a session open.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(wait_until);

my $node = PgpoolTest::Node->new('node0')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node], conf => { num_init_children => 4 });
ok($pp->start, 'pgpool starts') or die "cannot continue";

my $idle = qr/pgpool: wait for connection request/;

# --- process titles ------------------------------------------------------------
{
	my $n = wait_until(sub { scalar($pp->child_pids($idle)) == 4 }, 20);
	ok($n, 'four idle children titled "pgpool: wait for connection request"')
	  or diag join("\n", map { "$_: " . PgpoolTest::Pgpool::process_title($_) } $pp->child_pids);
}

# --- kill -9 of a child ------------------------------------------------------
{
	my $parent = $pp->pid;
	my ($victim) = $pp->child_pids($idle);
	ok($victim, 'found an idle child');
	kill 'KILL', $victim if $victim;
	ok(wait_until(sub { !kill(0, $victim) || PgpoolTest::Pgpool::process_title($victim) !~ /pgpool/ }, 10),
		'child is gone');
	my ($rc, $out, $err) = $pp->psql('select 1');
	is($out, '1', 'new sessions work after a child was killed') or diag $err;
	ok(kill(0, $parent), 'parent still alive');
	ok(wait_until(sub {
			my @c = $pp->child_pids($idle);
			@c == 4 && !grep { $_ == $victim } @c }, 20),
		'child respawned: four idle children again');
	for (1 .. 6)
	{
		($rc, $out) = $pp->psql("select $_");
		last if $out ne $_;
	}
	is($out, '6', 'every child serves');
}

# --- smart stop waits for the open session --------------------------------------
{
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(3), 'smart done'");
	ok($node->wait_active('pg_sleep(3)', 20), 'session running a query');
	my $stop = PgpoolTest::Background->start([$pp->bin, '-f', $pp->conf_file,
		'-m', 'smart', 'stop']);
	my ($rc, $out, $err) = $bg->finish(30);
	is($rc, 0, 'query in progress completes during smart stop') or diag $err;
	like($out, qr/smart done/, 'and returned its row');
	ok(defined $pp->wait_exit(60), 'pgpool exited after the session ended');
	my ($src, $sout, $serr) = $stop->finish(30);
	is($src, 0, 'pgpool -m smart stop exits 0') or diag $sout . $serr;
}

# --- fast stop does not wait ------------------------------------------------------
{
	ok($pp->start, 'pgpool starts again') or die "cannot continue";
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(30), 'fast done'");
	ok($node->wait_active('pg_sleep(30)', 20), 'session running a long query');
	my ($src, $sout, $serr) = $pp->stop('fast');
	is($src, 0, 'pgpool -m fast stop exits 0') or diag $sout . $serr;
	ok(!$pp->running, 'pgpool exited');
	my ($rc, $out, $err) = $bg->finish(20);
	ok(defined $rc && $rc != 0, 'the session was cut off') or diag 'rc ' . ($rc // 'still running');
	unlike($out, qr/fast done/, 'its query did not complete');
}

done_testing();

# Memory: after a warm-up, a child's memory does not grow at all.  The
# bounded caches (statement facts, catalog memos) are allocated when the
# child starts, so 30 s of pgbench -S in the simple and 30 s in the
# extended protocol, a new session per transaction (-C) and long sessions,
# leave every child's VmSize and RssAnon (/proc/PID/status) exactly where
# the warm-up left them.  This is a correctness property, not a timing: any
# growth, even one page, is a failure.  (RssAnon, not VmRSS: a code page
# or a shared memory page a child touches for the first time is no growth
# of its own memory, and which child first runs which code path is chance.)
use strict;
use warnings;
use Test::More;
use PgpoolTest::Stream qw(make_cluster stream_pgpool);
use PgpoolTest::Util qw(slurp);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
my $pp = stream_pgpool(\@nodes, conf => {
	num_init_children => 4, max_pool => 2, sr_check_period => 1,
	log_per_node_statement => 'off' });
ok($pp->start, 'pgpool in streaming replication mode, 4 children') or die "cannot continue";
my ($rc, $out, $err) = $pp->pgbench('-i', '-s', 1, '-q', 'testdb');
is($rc, 0, 'pgbench -i through pgpool') or diag $err;
$n0->wait_replay($n1);

# VmSize and RssAnon (kB) of every child that serves sessions (not the PCP
# process nor the workers).
sub child_memory
{
	my %mem;
	for my $pid ($pp->child_pids)
	{
		next if PgpoolTest::Pgpool::process_title($pid) =~
		  /PCP|worker process|health check|lifecheck|watchdog|query cache WAL|WAL positions/;
		my $status = slurp("/proc/$pid/status");
		my ($vsz) = $status =~ /^VmSize:\s+(\d+)/m;
		my ($rss) = $status =~ /^RssAnon:\s+(\d+)/m;
		$mem{$pid} = "VmSize $vsz kB, RssAnon $rss kB" if defined $vsz && defined $rss;
	}
	return \%mem;
}

sub bench
{
	my ($what, @args) = @_;
	my ($rc, $out, $err) = $pp->pgbench('-n', '-S', '-c', 4, '-j', 2, @args, 'testdb');
	is($rc, 0, "pgbench -S $what") or diag $out . $err;
}

# warm-up: every kind of run once
bench('warm-up, simple, -C', '-M', 'simple', '-C', '-T', 5);
bench('warm-up, extended, -C', '-M', 'extended', '-C', '-T', 5);
bench('warm-up, simple', '-M', 'simple', '-T', 3);
bench('warm-up, extended', '-M', 'extended', '-T', 3);
bench('warm-up, prepared', '-M', 'prepared', '-T', 3);
my $before = child_memory();
is(scalar(keys %$before), 4, 'memory of the 4 children measured')
  or diag explain $before;

bench('simple, -C, 30 s', '-M', 'simple', '-C', '-T', 30);
my $mid = child_memory();
is_deeply($mid, $before, 'no child grew during 30 s of pgbench -S -M simple -C')
  or diag explain { before => $before, after => $mid };
bench('extended, -C, 30 s', '-M', 'extended', '-C', '-T', 30);
my $after = child_memory();
is_deeply($after, $mid, 'no child grew during 30 s of pgbench -S -M extended -C')
  or diag explain { before => $mid, after => $after };
bench('simple and extended, long sessions', '-M', 'extended', '-T', 5);
bench('simple and extended, long sessions', '-M', 'simple', '-T', 5);
my $last = child_memory();
is_deeply($last, $after, 'nor during long sessions in both protocols')
  or diag explain { before => $after, after => $last };

$pp->stop('fast');
done_testing();

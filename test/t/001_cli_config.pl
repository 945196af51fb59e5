# Command line, start/stop/reload, pid file and pgpool.conf error handling.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pgpool_bin run_cmd wait_until);

my $node = PgpoolTest::Node->new('node0')->init->start;

# --- command line ----------------------------------------------------------
{
	my ($rc, $out, $err) = run_cmd([pgpool_bin(), '--help']);
	is($rc, 0, '--help exits 0');
	my $help = $out . $err;
	like($help, qr/-f\b/, '--help lists -f');
	like($help, qr/-m\b/, '--help lists -m');
	like($help, qr/-n\b/, '--help lists -n');
	like($help, qr/\bstop\b/, '--help mentions stop');
	like($help, qr/\breload\b/, '--help mentions reload');

	($rc, $out, $err) = run_cmd([pgpool_bin(), '--version']);
	is($rc, 0, '--version exits 0');
	like($out . $err, qr/\d+\.\d+/, '--version prints a version number');
}

# --- start, log format, unknown parameter -----------------------------------
my $pp = PgpoolTest::Pgpool->new(nodes => [$node], extra_conf => "foo = 1\n");
$pp->write_files;
my @conf_lines = split /\n/, PgpoolTest::Util::slurp($pp->conf_file);
my ($foo_line) = grep { $conf_lines[ $_ - 1 ] eq 'foo = 1' } 1 .. @conf_lines;
ok($pp->start, 'pgpool starts despite an unknown parameter') or die "cannot continue";
my $log = $pp->log_content;
like($log, qr/LOG:  pgpool-II successfully started/, 'start is logged PostgreSQL-style');
like($log, qr/WARNING:  unrecognized configuration parameter "foo" in file "\Q${\$pp->conf_file}\E" line $foo_line/,
	'unknown parameter warned with file and line');
{
	my ($rc, $out) = $pp->psql('select 1');
	is($out, '1', 'query through pgpool');
}
ok($pp->pid && kill(0, $pp->pid), 'pid file holds a live pid');

# --- a second pgpool with the same pid file refuses to start -----------------
{
	my $second = PgpoolTest::Pgpool->new(name => 'second', nodes => [$node],
		conf => { pid_file_name => $pp->pid_file });
	my $rc = $second->start_expect_exit(20);
	ok(defined $rc && $rc != 0, 'second pgpool with the same pid file exits non-zero')
	  or diag "exit: " . ($rc // 'still running') . "\n" . $second->log_content;
	like($second->log_content, qr/pid file|\Q${\$pp->pid_file}\E/i, 'its log mentions the pid file');
	my ($prc, $out) = $pp->psql('select 1');
	is($out, '1', 'first pgpool still serves');
}

# --- reload: reloadable, broken, restart-only --------------------------------
sub idle_session
{
	my ($p) = @_;
	return $p->psql("select 1;\n\\! sleep 4\nselect 2;\n", script => 1, timeout => 60);
}

{
	my ($rc, $out) = idle_session($pp);
	is($rc, 0, 'without client_idle_limit an idle session survives');

	# A file with an error: nothing is applied, not even the valid change.
	my $pos = $pp->log_position;
	$pp->set_conf(client_idle_limit => 2, log_per_node_statement => \'maybe');
	my ($rout, $rerr);
	($rc, $rout, $rerr) = $pp->reload;
	isnt($rc, 0, 'pgpool reload of a broken file exits non-zero');
	like($rerr, qr/invalid value for parameter "log_per_node_statement": "maybe"/,
		'pgpool reload prints the error');
	like($rerr, qr/configuration file "\Q${\$pp->conf_file}\E" contains errors; pgpool was not reloaded/,
		'and says pgpool was not reloaded');
	sleep 1;
	($rc, $out) = idle_session($pp);
	is($rc, 0, 'old settings kept: idle session still survives');
	ok($pp->running, 'pgpool still running after a broken reload');

	# A valid reloadable change applies to new sessions.
	$pos = $pp->log_position;
	$pp->set_conf(log_per_node_statement => undef);
	($rc) = $pp->reload;
	is($rc, 0, 'pgpool reload exits 0');
	$pp->wait_for_log(qr/reload/i, 10, $pos);
	sleep 2;
	my ($irc, $iout, $ierr) = idle_session($pp);
	isnt($irc, 0, 'after reload, client_idle_limit = 2 disconnects an idle session');
	unlike($iout, qr/^2$/m, 'the statement after the idle period did not run');
	ok($pp->wait_for_log(qr/client_idle_limit/, 10, $pos), 'log mentions client_idle_limit');

	# A restart-only parameter is not applied by reload.
	$pos = $pp->log_position;
	$pp->set_conf(port => PgpoolTest::Util::free_port(), client_idle_limit => 0);
	$pp->reload;
	ok($pp->wait_for_log(qr/parameter "port" cannot be changed without restarting the server/, 20, $pos),
		'changing port needs a restart')
	  or diag substr($pp->log_content, $pos);
	($rc, $out) = $pp->psql('select 3');
	is($out, '3', 'still serving on the old port');
	$pp->set_conf(port => $pp->port);
	$pp->reload;
}

# --- stop modes, long and short forms ---------------------------------------
for my $mode (qw(smart fast immediate s f i))
{
	if (!$pp->running)
	{
		ok($pp->start, "start before stop -m $mode") or last;
	}
	my ($rc, $out, $err) = $pp->stop($mode);
	is($rc, 0, "pgpool -m $mode stop exits 0") or diag $out . $err;
	ok(!$pp->running, "pgpool exited after -m $mode stop");
	ok(!-e $pp->pid_file, "pid file removed after -m $mode stop") if $mode =~ /^(smart|fast|s|f)$/;
	my ($prc) = $pp->psql('select 1', env => { PGCONNECT_TIMEOUT => 3 });
	isnt($prc, 0, "nothing listens after -m $mode stop");
}

# --- invalid values stop pgpool at start -------------------------------------
my %bad = (
	'num_init_children abc' => [ num_init_children => \'abc', 'abc' ],
	'num_init_children 0'   => [ num_init_children => 0,      '0' ],
	'connection_cache maybe' => [ connection_cache => \'maybe', 'maybe' ],
);
my $i = 0;
for my $case (sort keys %bad)
{
	my ($param, $value, $shown) = @{ $bad{$case} };
	my $b = PgpoolTest::Pgpool->new(name => 'bad' . $i++, nodes => [$node], conf => { $param => $value });
	$b->write_files;
	my $line = $b->conf_line($param);
	my $rc = $b->start_expect_exit(20);
	ok(defined $rc && $rc != 0, "$case: pgpool exits non-zero")
	  or diag "exit: " . ($rc // 'still running');
	my $blog = $b->log_content;
	like($blog, qr/invalid value for parameter "$param": "$shown"/, "$case: error names parameter and value")
	  or diag $blog;
	my @detail = grep { /DETAIL:/ && /\bline $line\b/ && /accepted values/i } split /\n/, $blog;
	ok(scalar @detail, "$case: DETAIL gives line $line and the accepted values");
}

done_testing();

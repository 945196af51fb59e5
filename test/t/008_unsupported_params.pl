# Parameters pgpool accepts but does not implement: a non-default setting is
# warned about with file and line at start and again on every reload; a
# default setting, or an implemented parameter, stays silent.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;

my $node = PgpoolTest::Node->new('node0')->init->start;

# serialize_accept: restart-only, not implemented;
# log_error_verbosity: reloadable, not implemented; set to its default here.
my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { serialize_accept => 'on', log_error_verbosity => 'default' });
$pp->write_files;
my $conf = $pp->conf_file;
my $mc_line = $pp->conf_line('serialize_accept');

sub warning_re
{
	my ($name, $line) = @_;
	return qr/WARNING:  parameter "$name" is not supported by this version of pgpool and has no effect\n.*DETAIL:  in file "\Q$conf\E" line $line\n.*HINT:  [^\n]*default/;
}

sub count_warnings
{
	my ($text, $name) = @_;
	my @all = $text =~ /parameter "$name" is not supported/g;
	return scalar @all;
}

ok($pp->start, 'pgpool starts with an unimplemented parameter set') or die "cannot continue";
my $log = $pp->log_content;
like($log, warning_re('serialize_accept', $mc_line),
	'start: warning names the parameter, file and line, with a hint');
is(count_warnings($log, 'serialize_accept'), 1, 'start: one warning for it');
is(count_warnings($log, 'log_error_verbosity'), 0, 'start: a parameter set to its default is silent');
my @others = $log =~ /parameter "(\w+)" is not supported/g;
is_deeply(\@others, ['serialize_accept'], 'start: implemented parameters of the test file are silent');
{
	my ($rc, $out) = $pp->psql('select 1');
	is($out, '1', 'pgpool serves queries');
}

# A reload of the same file warns again.
my $pos = $pp->log_position;
my ($rc) = $pp->reload;
is($rc, 0, 'pgpool reload exits 0');
ok($pp->wait_for_log(warning_re('serialize_accept', $mc_line), 20, $pos),
	'reload: the warning is logged again')
  or diag substr($pp->log_content, $pos);

# A reloadable unimplemented parameter set on reload warns with its line; the
# restart-only one is still reported (the warning is about the file).
$pos = $pp->log_position;
$pp->set_conf(log_error_verbosity => 'verbose');
my $lcm_line = $pp->conf_line('log_error_verbosity');
$pp->reload;
ok($pp->wait_for_log(warning_re('log_error_verbosity', $lcm_line), 20, $pos),
	'reload: a newly set unimplemented parameter is warned about')
  or diag substr($pp->log_content, $pos);
ok($pp->wait_for_log(warning_re('serialize_accept', $mc_line), 5, $pos),
	'reload: the other one still is');

# Back to the defaults: the next reload is silent.
$pp->set_conf(log_error_verbosity => 'default', serialize_accept => 'off');
$pos = $pp->log_position;
$pp->reload;
ok($pp->wait_for_log(qr/parameter "serialize_accept" cannot be changed without restarting/, 20, $pos),
	'reload done (the restart-only change is refused as usual)');
sleep 1;
is(count_warnings(substr($pp->log_content, $pos), '\w+'), 0,
	'reload with default values: no warning');
($rc, my $out) = $pp->psql('select 2');
is($out, '2', 'pgpool still serves queries');

done_testing();

# Watchdog network isolation: trusted_servers checked with a
# trusted_server_command that fails while a file exists in the pgpool's
# directory.  The leader that cannot reach any trusted server goes to
# NETWORK ISOLATION, de-escalates, and the others elect a new leader; once
# the servers answer again it rejoins as STANDBY.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Util qw(wait_until spew slurp);

my $node = PgpoolTest::Node->new('node0')->init->start;
my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [3, 2, 1],
	conf => { trusted_servers => '127.0.0.1', wd_interval => 1 });
for my $i (0 .. 2)
{
	my $flag = $pp[$i]->dir . '/cut_off';
	$pp[$i]->set_conf(trusted_server_command => "test ! -e $flag # %h");
	ok($pp[$i]->start, "pgpool wd$i starts") or die "cannot continue";
}
ok(wait_until(sub { defined(my $l = PgpoolTest::Watchdog::agreed_leader(\@pp, 0, 1, 2)) }, 30),
	'one leader, two standbys');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, 0, 1, 2), 0, 'wd0 leads');

spew($pp[0]->dir . '/cut_off', "1\n");
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{0} eq 'NETWORK ISOLATION' }, 15),
	'the leader that reaches no trusted server is in NETWORK ISOLATION');
ok(wait_until(sub { grep { $_ eq 'wd0' } PgpoolTest::Watchdog::log_lines('de_escalation.log') }, 10),
	'and gave up the VIP');
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, 1, 2)) }, 15),
	'the others elect a new leader');
like(slurp($pp[0]->logfile), qr/this node is isolated from the network/, 'the log says why');

unlink $pp[0]->dir . '/cut_off';
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{0} eq 'STANDBY' }, 15),
	'back on the network it rejoins as STANDBY');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, 0, 1, 2), 1, 'under the new leader');

done_testing();

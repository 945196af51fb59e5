# Watchdog: three pgpools on 127.0.0.1 (own client, PCP, watchdog and
# heartbeat ports) over one PostgreSQL.  One LEADER and two STANDBY as
# pcp_watchdog_info shows them; kill -9 of the leader's whole pgpool makes
# a new leader escalate (the escalation command's marker) within deadtime +
# a few seconds (the time is printed); the old one restarted joins as
# STANDBY; a pgpool frozen with SIGSTOP is LOST, and after SIGCONT there is
# one leader again: the one with the lower priority resigned and ran its
# de-escalation.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Watchdog;
use PgpoolTest::Util qw(wait_until test_dir slurp);

my $node = PgpoolTest::Node->new('node0')->init->start;
my $deadtime = 5;
my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [3, 2, 1], deadtime => $deadtime);
my @all = (0, 1, 2);

for my $i (@all) { ok($pp[$i]->start, "pgpool wd$i starts") or die "cannot continue"; }

# --- one leader, two standbys -------------------------------------------------
my $leader;
ok(wait_until(sub { defined($leader = PgpoolTest::Watchdog::agreed_leader(\@pp, @all)) }, 30),
	'the three agree on one LEADER and two STANDBY');
is($leader, 0, 'the highest wd_priority leads');
my ($rc, $out, $err) = PgpoolTest::Watchdog::info($pp[1]);
like($out, qr/^3 3 NO \S+:\d+ Linux \S+ 127\.0\.0\.1\n\n/, 'first line: nodes, members, local escalation, leader')
  or diag $out, $err;
my @lines = split /\n/, $out;
like($lines[2], qr/^127\.0\.0\.1:${\ $pp[1]->port} Linux \S+ 127\.0\.0\.1 ${\ $pp[1]->port} \d+ 7 STANDBY 0 MEMBER$/,
	'this pgpool is listed first');
($rc, $out) = PgpoolTest::Watchdog::info($pp[0], '-v');
like($out, qr/Quorum state\s+: QUORUM EXIST\n/, '-v: quorum exists');
like($out, qr/Local node escalation\s+: YES\n/, '-v: the leader holds the VIP');
like($out, qr/Nodes required for quorum: 2\n/, '-v: two nodes make the quorum');
like($out, qr/Status Name\s+: LEADER\n/, '-v: node blocks');
($rc, $out) = PgpoolTest::Watchdog::info($pp[0], '-n', 1);
is(scalar(() = $out =~ /MEMBER$/mg), 1, '-n 1 lists one node');
($rc, $out) = PgpoolTest::Pcp->new($pp[2])->legacy('pcp_watchdog_info');
like($out, qr/^3 3 NO /, 'the manual\'s positional form works too');
ok(wait_until(sub { grep { /^up wd0 10\.254\.254\.254$/ } PgpoolTest::Watchdog::log_lines('vip.log') }, 10),
	'if_up_cmd ran on the leader with $_IP_$ replaced');
is_deeply([PgpoolTest::Watchdog::log_lines('escalation.log')], ['wd0'], 'only the leader escalated');

# --- kill -9 of the leader ----------------------------------------------------------
my $t0 = time();
PgpoolTest::Watchdog::signal_all($pp[0], 'KILL');
my $new;
ok(wait_until(sub { grep { $_ ne 'wd0' } PgpoolTest::Watchdog::log_lines('escalation.log') }, $deadtime + 5),
	'a new leader escalates after kill -9 of the leader');
my $took = time() - $t0;
diag(sprintf('kill -9 of the leader to the new leader\'s escalation: %.1f s (deadtime %d s)', $took, $deadtime));
ok($took <= $deadtime + 2, 'within the deadtime + 2 s');
ok(wait_until(sub { defined($new = PgpoolTest::Watchdog::agreed_leader(\@pp, 1, 2)) }, 10),
	'the two left agree on the new leader');
is($new, 1, 'the better of the two remaining leads');
$pp[0]->wait_exit(5);

# --- the old leader comes back ----------------------------------------------------------
ok($pp[0]->start, 'the old leader restarts');
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{0} eq 'STANDBY' && $s->{1} eq 'LEADER' }, 20),
	'it joins as STANDBY under the new leader');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, @all), 1, 'all three agree');

# --- partition: the leader frozen ----------------------------------------------------------
my $esc_before = () = PgpoolTest::Watchdog::log_lines('escalation.log');
$t0 = time();
PgpoolTest::Watchdog::signal_all($pp[1], 'STOP');
ok(wait_until(sub { my $s = PgpoolTest::Watchdog::states($pp[0], \@pp); $s && $s->{1} eq 'LOST' }, $deadtime + 5),
	'the frozen leader is LOST for the others');
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, 0, 2)) }, 10),
	'the others elect a leader among themselves');
ok(wait_until(sub { (() = PgpoolTest::Watchdog::log_lines('escalation.log')) > $esc_before }, 10),
	'and it escalates');
diag(sprintf('SIGSTOP of the leader (heartbeat only) to the new leader\'s escalation: %.1f s', time() - $t0));
is(PgpoolTest::Watchdog::agreed_leader(\@pp, 0, 2), 0, 'wd0 (priority 3) leads them');
PgpoolTest::Watchdog::signal_all($pp[1], 'CONT');
ok(wait_until(sub { grep { $_ eq 'wd1' } PgpoolTest::Watchdog::log_lines('de_escalation.log') }, 15),
	'the resumed leader with the lower priority resigns and de-escalates');
ok(wait_until(sub { defined(PgpoolTest::Watchdog::agreed_leader(\@pp, @all)) }, 15),
	'one leader again for all three');
is(PgpoolTest::Watchdog::agreed_leader(\@pp, @all), 0, 'and it is wd0');
like(slurp($pp[1]->logfile), qr/resigning from leader/, 'the log says why');

# VIP holders replayed from the if_up/if_down log: after the heal only one
my %holds;
for (PgpoolTest::Watchdog::log_lines('vip.log')) { $holds{$2} = $1 eq 'up' if /^(up|down) (wd\d)/; }
is_deeply([sort grep { $holds{$_} } keys %holds], ['wd0'], 'only wd0 holds the VIP');

done_testing();

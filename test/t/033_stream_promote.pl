# pcp_promote_node in streaming replication mode, on a primary and one
# standby:
#   1. without --switchover pgpool only changes its own view: the standby is
#      its primary, the old primary is detached, no server is promoted;
#   2. with --switchover the old primary is detached and failover_command
#      (sample/failover.sh) promotes the standby for real, after which
#      writes through pgpool run on it.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool sample_script show_rows);
use PgpoolTest::Util qw(pg_bin wait_until);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
$n0->query('CREATE TABLE t (id int)', db => 'testdb');
$n0->wait_replay($n1);

my $esc = '%d %h %p %D %m %H %M %P %r %R %N %S';
my $failover_sh = sample_script('failover.sh');
my $pgbin = pg_bin();

sub roles
{
	my ($pp) = @_;
	return join ' ', map { "$_->{role}/$_->{status}" } show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
}

# --- 1. promote without --switchover ----------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-view', conf => { sr_check_period => 1 });
	ok($pp->start, 'pgpool starts in streaming mode') or die "cannot continue";
	my $pcp = PgpoolTest::Pcp->new($pp);
	like(roles($pp), qr/^primary\/\w+ standby\/\w+$/, 'node 0 is the primary at start');
	my ($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-n', 1);
	is($rc, 0, 'pcp_promote_node -n 1 succeeds') or diag $err;
	like(roles($pp), qr/^standby\/down primary\/(up|waiting)$/,
		'pgpool now takes node 1 for the primary and has detached node 0');
	sleep 2;					# a few sr_check rounds: the view must stay
	like(roles($pp), qr/^standby\/down primary\/(up|waiting)$/, '... and keeps that view while node 1 is up');
	is($n1->query('SELECT pg_is_in_recovery()'), 't', 'no server was promoted (that is the operator\'s job)');
	$pp->stop('fast');
}

# --- 2. promote --switchover ---------------------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-switch', conf => { sr_check_period => 1 });
	$pp->set_conf(failover_command => "PGBIN=$pgbin $failover_sh $esc");
	ok($pp->start, 'a second pgpool (its own logdir) starts') or die "cannot continue";
	like(roles($pp), qr/^primary\/\w+ standby\/\w+$/, 'node 0 is the primary again');
	my $pcp = PgpoolTest::Pcp->new($pp);
	my ($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-s', '-n', 1);
	is($rc, 0, 'pcp_promote_node --switchover -n 1 succeeds') or diag $err;
	ok(wait_until(sub { $n1->query('SELECT pg_is_in_recovery()') eq 'f' }, 30),
		'failover_command promoted node 1') or diag $pp->log_content;
	like(roles($pp), qr/^standby\/down primary\/(up|waiting)$/, 'SHOW pool_nodes: node 1 primary, node 0 down');
	($rc, $out, $err) = $pp->psql("INSERT INTO t VALUES (1) RETURNING inet_server_port()", db => 'testdb');
	my ($port) = $out =~ /^(\d+)$/m;
	is($port, $n1->port, 'writes through pgpool now run on node 1') or diag "$out\n$err";
	$pp->stop('fast');
}

done_testing();

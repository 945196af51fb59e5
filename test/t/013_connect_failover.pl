# A node marked up that refuses a new session's login (here: the standby's
# pg_hba.conf rejects one user) ends the session with pgpool-II 4.3's FATAL
# "failed to create a backend connection" and, unless backend_flagN says
# DISALLOW_TO_FAILOVER, detaches the node: no session quietly goes on
# without a node.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool);
use PgpoolTest::Util qw(pg_user wait_until);

my @nodes = make_cluster(standbys => 1);
$nodes[0]->create_user('lacky');
$nodes[1]->set_hba([ 'local all all trust', 'host all lacky 127.0.0.1/32 reject',
	'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust' ]);
$nodes[1]->reload;
sleep 1;

sub node_status
{
	my ($pp, $id) = @_;
	my ($rc, $out) = $pp->psql('SHOW pool_nodes');
	my @rows = map { [ split /\|/, $_, -1 ] } split /\n/, $out;
	return $rows[$id][3];
}

{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-disallow',
		conf => { backend_flag1 => 'DISALLOW_TO_FAILOVER', num_init_children => 2 });
	ok($pp->start, 'pgpool with DISALLOW_TO_FAILOVER on the standby') or die $pp->log_content;
	my ($rc, $out, $err) = $pp->psql('SELECT 1', user => 'lacky');
	isnt($rc, 0, 'the session ends');
	like($err, qr/FATAL:\s+failed to create a backend connection/, 'FATAL failed to create a backend connection');
	like($err, qr/DETAIL:\s+not executing failover on backend 1: DISALLOW_TO_FAILOVER/, 'no failover: DETAIL says why');
	sleep 2;
	is(node_status($pp, 1), 'up', 'the standby stays up');
	$pp->stop('fast');
}

{
	my $pp = stream_pgpool(\@nodes, conf => { num_init_children => 2 });
	ok($pp->start, 'pgpool in streaming replication mode') or die $pp->log_content;
	my ($rc, $out, $err) = $pp->psql('SELECT 1', user => 'lacky');
	isnt($rc, 0, 'a login the standby refuses ends the session');
	like($err, qr/FATAL:\s+failed to create a backend connection/, 'FATAL failed to create a backend connection');
	like($err, qr/DETAIL:\s+executing failover on backend/, 'DETAIL executing failover on backend');
	ok(wait_until(sub { (node_status($pp, 1) // '') eq 'down' }, 30), 'the standby was failed over')
	  or diag $pp->log_content;
	($rc, $out, $err) = $pp->psql('SELECT 1', user => 'lacky');
	is($out, '1', 'later sessions run on the remaining node') or diag $err;
}

done_testing();

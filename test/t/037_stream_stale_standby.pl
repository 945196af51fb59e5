# Streaming replication mode: no reads from a standby that does not stream
# from the primary.  A primary and two standbys, weights 0:1:1 so reads go
# to the standbys, sr_check_period 1:
#
#   1. node 2's WAL receiver points at a dead port (primary_conninfo,
#      reload): new sessions stop reading there, SHOW pool_nodes says
#      "not streaming" in replication_state, the log says so once;
#   2. node 2 cascades from node 1: still streaming from the primary, reads;
#   3. primary_conninfo restored: "streams from the primary again", reads;
#   4. failover without follow_primary_command (the primary stopped,
#      failover.sh promotes node 1): orphaned node 2 gets no reads;
#   5. the old primary started again (detached): node 2 streams from it,
#      "streaming from another node", still no reads.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool ports_in sample_script show_rows);
use PgpoolTest::Util qw(pg_bin pg_user wait_until tail_text);

# the WAL receiver restarts quickly after a primary_conninfo change
my @nodes = make_cluster(conf => "wal_retrieve_retry_interval = 200ms\n");
my ($n0, $n1, $n2) = @nodes;
$n0->query('CREATE TABLE t (id int)', db => 'testdb');
$n0->wait_replay($_) for ($n1, $n2);

my $pp = stream_pgpool(\@nodes, conf => {
	backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1,
	sr_check_period => 1, health_check_period => 1, health_check_timeout => 1,
	health_check_max_retries => 0,
	failover_command => 'PGBIN=' . pg_bin() . ' ' . sample_script('failover.sh')
	  . ' %d %h %p %D %m %H %M %P %r %R %N %S',
});
ok($pp->start, 'pgpool starts with sr_check_period 1') or die "cannot continue";

my $P = q{SELECT 'P', inet_server_port()};

# Where $n new sessions read: node id => count.
sub reads
{
	my ($n) = @_;
	my %seen;
	for (1 .. $n)
	{
		my ($rc, $out) = $pp->psql($P, db => 'testdb', timeout => 20);
		$seen{ $rc ? 'error' : ports_in($out)->[0] // 'none' }++;
	}
	return \%seen;
}

sub rep_state
{
	my ($id) = @_;
	my @rows = show_rows($pp, 'SHOW pool_nodes', db => 'testdb', timeout => 20);
	return $rows[$id] ? $rows[$id]{replication_state} : 'no answer';
}

sub set_conninfo
{
	my ($node, $ci) = @_;
	(my $lit = $ci) =~ s/'/''/g;
	$node->query("ALTER SYSTEM SET primary_conninfo = '$lit'");
	$node->query('SELECT pg_reload_conf()');
}

my $seen = reads(12);
ok($seen->{1} && $seen->{2} && !$seen->{0}, 'reads go to both standbys') or diag explain $seen;
ok(wait_until(sub { rep_state(2) eq 'streaming' }, 10), 'node 2 replication_state is streaming');

# --- 1. a broken WAL receiver ------------------------------------------------------------
my $orig = $n2->query('SHOW primary_conninfo');
my $from = $pp->log_position;
set_conninfo($n2, 'host=127.0.0.1 port=1 user=' . pg_user());
my $stale_re = qr/standby node 2 does not stream from the primary: [^\n]*; no reads are sent to it/;
ok($pp->wait_for_log($stale_re, 20, $from), 'LOG: node 2 does not stream from the primary')
  or diag tail_text(substr($pp->log_content, $from), 20);
$seen = reads(8);
ok(!$seen->{2} && $seen->{1} && !$seen->{error}, 'no reads reach node 2') or diag explain $seen;
is(rep_state(2), 'not streaming', 'SHOW pool_nodes: node 2 replication_state "not streaming"');
is(rep_state(1), 'streaming', 'node 1 is still "streaming"');
sleep 2;
my @lines = substr($pp->log_content, $from) =~ /$stale_re/g;
is(scalar @lines, 1, 'the log says so once') or diag join("\n", @lines);

# --- 2. cascading from node 1 counts as streaming from the primary ----------------------------
my $via1 = $orig =~ s/port=\d+/'port=' . $n1->port/er;
set_conninfo($n2, $via1);
my $again_re = qr/standby node 2 streams from the primary again/;
ok($pp->wait_for_log($again_re, 30, $from), 'cascading from node 1: "streams from the primary again"')
  or diag tail_text(substr($pp->log_content, $from), 20);
ok(wait_until(sub { reads(5)->{2} }, 10), 'node 2 reads again while cascading');

# --- 3. the original primary_conninfo ------------------------------------------------------
$from = $pp->log_position;
set_conninfo($n2, $orig);
ok(wait_until(sub {
	my ($r, $o) = $n0->psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
	!$r && $o == 2 }, 20), 'node 2 streams from node 0 again');
ok(wait_until(sub { rep_state(2) eq 'streaming' && reads(5)->{2} }, 10),
	'node 2 is "streaming" and reads');

# --- 4. failover without follow_primary_command ---------------------------------------------
$from = $pp->log_position;
$n0->stop('immediate');
ok($pp->wait_for_log(qr/failover\.sh: promoting node 1/, 20, $from), 'failover.sh promoted node 1')
  or diag tail_text(substr($pp->log_content, $from), 30);
ok(wait_until(sub { ($n1->psql('SELECT pg_is_in_recovery()'))[1] eq 'f' }, 20), 'node 1 is the primary');
ok($pp->wait_for_log($stale_re, 20, $from), 'LOG: orphaned node 2 does not stream from the primary')
  or diag tail_text(substr($pp->log_content, $from), 30);
$seen = reads(8);
ok(!$seen->{2} && $seen->{1} && !$seen->{error}, 'the orphaned standby gets no reads; the primary does')
  or diag explain $seen;
is(rep_state(2), 'not streaming', 'SHOW pool_nodes says why');

# --- 5. the old primary back, detached: node 2 follows it again -----------------------------
$from = $pp->log_position;
$n0->start;
my $other_re = qr/standby node 2 does not stream from the primary: it streams from [^\n]*:${\ $n0->port}, a node that is down; no reads/;
ok($pp->wait_for_log($other_re, 20, $from), 'LOG: node 2 streams from the detached old primary')
  or diag tail_text(substr($pp->log_content, $from), 30);
is(rep_state(2), 'streaming from another node', 'SHOW pool_nodes: "streaming from another node"');
$seen = reads(8);
ok(!$seen->{2} && $seen->{1} && !$seen->{error}, 'still no reads on node 2') or diag explain $seen;

note join("\n", $pp->log_content =~ /^.*(?:stream|streams) from the primary.*$/mg);
$pp->stop('fast');
done_testing();

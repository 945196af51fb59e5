# Misbehaving clients: malformed startup packets, protocol 2.0, unknown
# messages after login, clients that vanish mid-query.  With a single pool
# child, every one of them must leave pgpool able to serve the next client
# correctly.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user);
use PgpoolTest::Wire;

my $node = PgpoolTest::Node->new('node0')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { connection_cache => 'on', num_init_children => 1, max_pool => 2 });
ok($pp->start, 'pgpool starts with one child') or die "cannot continue";

sub served_ok
{
	my ($label) = @_;
	my ($rc, $out, $err) = $pp->psql("select 'ok after $label'", db => 'testdb', timeout => 60);
	is($out, "ok after $label", "next psql served after $label") or diag "rc $rc: $err";
}

# Send $bytes as a new client, half-close, and collect the answer.
sub garbage_exchange
{
	my ($label, $bytes) = @_;
	my $w = PgpoolTest::Wire->connect($pp->port);
	ok($w, "$label: connected") or return;
	$w->send_raw($bytes);
	$w->shutdown_write;
	my ($reply, $how) = $w->read_all(15);
	$w->close;
	ok(($how eq 'eof') && ($reply eq '' || substr($reply, 0, 1) eq 'E'),
		"$label: answered with an ErrorResponse or a closed connection")
	  or diag "got $how after " . length($reply) . " bytes: " . unpack('H*', substr($reply, 0, 32));
	return $reply;
}

# --- malformed startup packets ------------------------------------------------
srand(20240601);
for my $i (1 .. 3)
{
	my $bytes = join('', map { chr(int(rand(256))) } 1 .. 64 + int(rand(200)));
	garbage_exchange("random bytes #$i", $bytes);
	served_ok("random bytes #$i");
}

garbage_exchange('2 GB length', pack('N', 0x80000000) . pack('N', 196608) . "user\0x\0\0");
served_ok('2 GB length');

garbage_exchange('short length', pack('N', 3));
served_ok('short length');

{
	# Protocol 2.0 StartupPacket: length 296, version 2.0, fixed-size fields.
	my $pkt = pack('N N a64 a32 a64 a64 a64', 296, 0x00020000, 'testdb', pg_user(), '', '', '');
	my $reply = garbage_exchange('protocol 2.0', $pkt);
	like($reply // '', qr/unsupported frontend protocol/, 'protocol 2.0: error says unsupported frontend protocol');
	served_ok('protocol 2.0');
}

# --- unknown message type after login ----------------------------------------
{
	my $w = PgpoolTest::Wire->connect($pp->port);
	ok($w && $w->login(pg_user(), 'testdb'), 'raw client logs in');
	$w->send_msg('y', 'garbage');
	my ($reply, $how) = $w->read_all(15);
	$w->close;
	is($how, 'eof', 'session with an unknown message type is ended');
	served_ok('unknown message type');
}

# --- a query through the raw client works (the Wire helper itself is sane) ----
{
	my $w = PgpoolTest::Wire->connect($pp->port);
	ok($w && $w->login(pg_user(), 'testdb'), 'raw client logs in again');
	$w->send_msg('Q', "select 'raw'\0");
	my @m = $w->read_until_ready(15);
	my ($row) = grep { $_->[0] eq 'D' } @m;
	ok($row && $row->[1] =~ /raw/, 'raw client gets its row');
	$w->send_msg('X');
	$w->close;
}

# --- clients that vanish mid-query ----------------------------------------------
{
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, 'select pg_sleep(2), 111', db => 'testdb');
	ok($node->wait_active('pg_sleep(2)', 20), 'psql query running');
	$bg->signal('KILL');
	$bg->finish(10);
	my ($rc, $out, $err) = $pp->psql('select 1', db => 'testdb', timeout => 60);
	is($out, '1', 'after a killed psql, select 1 returns 1') or diag "rc $rc: $err";
	($rc, $out, $err) = $pp->psql("select 'second'", db => 'testdb', timeout => 60);
	is($out, 'second', 'and the following session is correct too');

	my $w = PgpoolTest::Wire->connect($pp->port);
	ok($w && $w->login(pg_user(), 'testdb'), 'raw client logs in');
	$w->send_msg('Q', "select pg_sleep(2), 222\0");
	ok($node->wait_active('pg_sleep(2), 222', 20), 'raw query running');
	$w->close;
	($rc, $out, $err) = $pp->psql('select 1', db => 'testdb', timeout => 60);
	is($out, '1', 'after a vanished raw client, select 1 returns 1') or diag "rc $rc: $err";
	($rc, $out, $err) = $pp->psql("select 'third'", db => 'testdb', timeout => 60);
	is($out, 'third', 'and the following session is correct too');
}

ok($pp->running, 'pgpool still running');

done_testing();

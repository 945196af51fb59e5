# Attacks on client authentication that must fail, each with an error, the
# child surviving and the next client served: a password sent before it is
# asked, truncated and oversized SASL messages, a wrong SCRAM proof, a
# replayed nonce, a channel-binding mechanism without TLS, a 1 GB password
# packet, a query instead of a password, and clients trying to take the
# pooled connection of another user or of the same user without the
# password.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use PgpoolTest::Auth qw(psql_as write_pool_passwd scram_begin scram_finish wire_error);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user);
use PgpoolTest::Wire;

my $su = pg_user();
my $node = PgpoolTest::Node->new('node0')->init->start;
$node->create_user('alice', encryption => 'md5', password => 'alice pw');
$node->create_user('bob', encryption => 'scram-sha-256', password => 'bob pw');
$node->create_user('erin', encryption => 'md5', password => 'erin pw');
$node->query('grant all on database testdb to alice, bob, erin');
$node->set_hba([
	'local all all trust',
	"host all $su 127.0.0.1/32 trust",
	'host all alice 127.0.0.1/32 md5',
	'host all bob 127.0.0.1/32 scram-sha-256',
	'host all erin 127.0.0.1/32 md5',
]);
$node->reload;

my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	pool_hba => [
		'local all all trust',
		"host all $su 127.0.0.1/32 trust",
		'host all alice 127.0.0.1/32 md5',
		'host all bob 127.0.0.1/32 scram-sha-256',
		'host all erin 127.0.0.1/32 password',
	],
	conf => { enable_pool_hba => 'on', num_init_children => 1, max_pool => 4,
		authentication_timeout => 20 });
$pp->write_files;
write_pool_passwd($pp, 'alice:md5' . md5_hex('alice pw' . 'alice'), 'bob:TEXTbob pw');
ok($pp->start, 'pgpool starts with one child') or die "cannot continue";
my ($child) = $pp->child_pids(qr/wait for connection|idle/);
ok($child, "the child's pid: " . ($child // 'none'));

# The child survived the attack and serves the next client.
sub survived
{
	my ($what) = @_;
	my ($rc, $out, $err) = psql_as($pp, 'bob', 'bob pw', 'select current_user');
	is($out, 'bob', "$what: next client served") or diag $err;
	my @now = $pp->child_pids(qr/pgpool/);
	ok((grep { $_ == $child } @now), "$what: same child process");
}

# Messages from a raw connection until ReadyForQuery, EOF or timeout.
sub replies
{
	my ($w) = @_;
	return $w->read_until_ready(20);
}

sub login_msgs
{
	my ($user, @after) = @_;
	my $w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(PgpoolTest::Wire::startup_packet($user, 'testdb') . join('', @after));
	return ($w, replies($w));
}

sub msg { my ($t, $p) = @_; return $t . pack('N', 4 + length $p) . $p; }

# --- a password before it is asked --------------------------------------------
{
	my ($w, @m) = login_msgs('alice', msg('p', 'md5' . ('0' x 32) . "\0"));
	like(wire_error(@m), qr/password authentication failed for user "alice"/,
		'md5: a response sent with the startup packet is just a wrong answer');
	ok(!grep({ $_->[0] eq 'Z' } @m), 'no ReadyForQuery');
	survived('early md5 response');

	($w, @m) = login_msgs('bob', msg('p', "bob pw\0"));
	like(wire_error(@m), qr/malformed SASLInitialResponse message/,
		'scram: a clear-text password sent early is a malformed SASL message');
	survived('early password to a SASL request');

	($w, @m) = login_msgs('erin', msg('Q', "select 1\0"));
	like(wire_error(@m), qr/expected password response, got message type 81/,
		'a query instead of the password is refused');
	survived('query instead of password');
}

# --- truncated, oversized, wrong-mechanism SASL messages ------------------------
{
	my ($w, @m) = login_msgs('bob', msg('p', "SCRAM-SHA-256\0" . pack('N', 100) . 'n,,n=,r=abc'));
	like(wire_error(@m), qr/malformed SASLInitialResponse message/, 'SASLInitialResponse shorter than announced');
	survived('truncated SASLInitialResponse');

	($w, @m) = login_msgs('bob', msg('p', "SCRAM-SHA-256\0" . pack('N', 5) . 'n,,n='));
	like(wire_error(@m), qr/malformed SCRAM message/, 'client-first-message without a nonce');
	survived('truncated client-first-message');

	($w, @m) = login_msgs('bob', msg('p', "SCRAM-SHA-256\0" . pack('N', 70000) . ('x' x 70000)));
	like(wire_error(@m), qr/invalid message length/, 'oversized SASL message');
	survived('oversized SASL message');

	($w, @m) = login_msgs('bob', msg('p', "SCRAM-SHA-256-PLUS\0" . pack('N', 37) . 'p=tls-server-end-point,,n=,r=abcdefgh'));
	like(wire_error(@m), qr/client selected an invalid SASL authentication mechanism/,
		'SCRAM-SHA-256-PLUS without TLS');
	survived('channel binding without TLS');

	($w, @m) = login_msgs('bob', msg('p', "SCRAM-SHA-256\0" . pack('N', 14) . 'n,a=x,n=,r=abc'));
	like(wire_error(@m), qr/authorization identity/, 'an authorization identity is refused');
	survived('authorization identity');
}

# --- SCRAM final message: wrong proof, truncated, replayed nonce --------------
{
	my $st = scram_begin($pp->port, 'bob', 'testdb') or BAIL_OUT("scram_begin: $@");
	$st->{wire}->send_msg('p', scram_finish($st, 'not bob pw'));
	my @m = replies($st->{wire});
	like(wire_error(@m), qr/password authentication failed for user "bob"/, 'wrong SCRAM proof');
	survived('wrong proof');

	$st = scram_begin($pp->port, 'bob', 'testdb') or BAIL_OUT("scram_begin: $@");
	my $final = scram_finish($st, 'bob pw');
	$st->{wire}->send_msg('p', substr($final, 0, length($final) - 20));
	@m = replies($st->{wire});
	like(wire_error(@m), qr/malformed SCRAM message/, 'truncated client-final-message');
	survived('truncated proof');

	my $a = scram_begin($pp->port, 'bob', 'testdb') or BAIL_OUT("scram_begin: $@");
	my $a_final = scram_finish($a, 'bob pw');
	$a->{wire}->send_msg('p', $a_final);
	@m = replies($a->{wire});
	is($m[-1][0], 'Z', 'a correct SCRAM exchange over the raw protocol logs in');
	$a->{wire}->send_msg('X');
	$a->{wire}->close;

	my $b = scram_begin($pp->port, 'bob', 'testdb') or BAIL_OUT("scram_begin: $@");
	$b->{wire}->send_msg('p', $a_final);
	@m = replies($b->{wire});
	like(wire_error(@m), qr/invalid SCRAM response/, 'the first exchange\'s final message replayed: refused');
	ok(!grep({ $_->[0] eq 'Z' } @m), 'replay does not log in');
	survived('replayed nonce');

	$b = scram_begin($pp->port, 'bob', 'testdb') or BAIL_OUT("scram_begin: $@");
	$b->{wire}->send_msg('p', scram_finish($b, 'bob pw', nonce => $a->{nonce} . 'x'));
	@m = replies($b->{wire});
	like(wire_error(@m), qr/invalid SCRAM response/, 'a final message with another nonce: refused');
	survived('wrong nonce');
}

# --- a 1 GB password packet --------------------------------------------------------
for my $user ('alice', 'bob', 'erin')
{
	my $w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(PgpoolTest::Wire::startup_packet($user, 'testdb'));
	my ($t) = $w->read_msg(10);
	is($t, 'R', "$user: asked to authenticate");
	$w->send_raw('p' . pack('N', 0x40000000) . ('x' x 65536));
	my @m = replies($w);
	like(wire_error(@m), qr/invalid message length/, "$user: 1 GB password packet refused");
	survived("1 GB packet ($user)");
}

# --- pooled connections ------------------------------------------------------------
{
	my ($rc, $erin_pid, $err) = psql_as($pp, 'erin', 'erin pw', 'select pg_backend_pid()');
	like($erin_pid, qr/^\d+$/, 'erin (password rule, checked by the backend) logs in') or diag $err;
	my ($rc2, $again) = psql_as($pp, 'erin', 'erin pw', 'select pg_backend_pid()');
	is($again, $erin_pid, 'erin gets her pooled backend again');

	($rc, my $out, $err) = psql_as($pp, 'erin', 'wrong', 'select pg_backend_pid()');
	isnt($rc, 0, 'erin\'s pooled backend is not handed to a wrong password');
	like($err, qr/password authentication failed for user "erin"/, '... which the backend refuses');

	my ($w, @m) = login_msgs('erin', msg('p', "\0"));
	like(wire_error(@m), qr/password authentication failed for user "erin"/, 'an empty password is refused');
	($w, @m) = login_msgs('erin', msg('X', ''));
	ok(!grep({ $_->[0] eq 'Z' } @m), 'a client that hangs up instead of answering gets nothing');

	($rc, $out, $err) = psql_as($pp, 'alice', 'alice pw', 'select current_user, pg_backend_pid()');
	like($out, qr/^alice\|\d+$/, 'another user logs in');
	my ($alice_pid) = $out =~ /\|(\d+)$/;
	isnt($alice_pid, $erin_pid, '... on another backend, not erin\'s');

	my ($rc3, $third) = psql_as($pp, 'erin', 'erin pw', 'select current_user, pg_backend_pid()');
	is($third, "erin|$erin_pid", 'erin\'s pooled backend is still hers after all of this');
	survived('pooled connection attempts');
}

ok($pp->running, 'pgpool still running');
done_testing();

# PgpoolTest::Auth - helpers for the authentication and TLS tests: psql
# with a password and libpq options, a SCRAM-SHA-256 client speaking the
# raw protocol (to send what libpq never would), test certificates made with
# the openssl command, and pool_passwd files.
package PgpoolTest::Auth;

use strict;
use warnings;
use Carp;
use Digest::SHA qw(hmac_sha256 sha256);
use MIME::Base64 qw(encode_base64 decode_base64);
use PgpoolTest::Node;
use PgpoolTest::Util qw(run_cmd spew chown_test test_dir is_root);
use PgpoolTest::Wire;
use Exporter 'import';

our @EXPORT_OK = qw(psql_as write_pool_passwd make_ca make_cert scram_secret
  scram_begin scram_finish pbkdf2 wire_error);

# psql through pgpool as $user with $password (undef: none); %o: db,
# ssl (hashref of libpq settings: sslmode, sslrootcert, sslcert, sslkey,
# channel_binding), script, sql.  Returns (exit code, stdout, stderr).
sub psql_as
{
	my ($pp, $user, $password, $sql, %o) = @_;
	my %env = (PGSSLMODE => 'disable');
	$env{PGPASSWORD} = $password if defined $password;
	my %map = (sslmode => 'PGSSLMODE', sslrootcert => 'PGSSLROOTCERT', sslcert => 'PGSSLCERT',
		sslkey => 'PGSSLKEY', channel_binding => 'PGCHANNELBINDING', sslcrl => 'PGSSLCRL');
	for my $k (keys %{ $o{ssl} // {} })
	{
		croak "unknown libpq setting $k" unless $map{$k};
		$env{ $map{$k} } = $o{ssl}{$k};
	}
	# no client certificate unless given (libpq would look in ~/.postgresql)
	$env{PGSSLCERT} //= '/nonexistent/client.crt';
	$env{PGSSLKEY} //= '/nonexistent/client.key';
	return PgpoolTest::Node::psql_at($o{host} // '127.0.0.1', $pp->port, $sql, user => $user,
		db => $o{db} // 'testdb', env => \%env, args => ['-w'], script => $o{script});
}

# Write $pp's pool_passwd (next to its pgpool.conf) from "user:secret" lines.
sub write_pool_passwd
{
	my ($pp, @lines) = @_;
	my $path = $pp->dir . '/pool_passwd';
	spew($path, join('', map { "$_\n" } @lines));
	chmod 0600, $path;
	chown_test($path);
	return $path;
}

sub _openssl
{
	my ($dir, @args) = @_;
	my ($rc, $out, $err) = run_cmd(['openssl', @args], cwd => $dir);
	croak "openssl @args failed: $out$err" if $rc;
	return $out;
}

# make_ca($dir, $name): a self-signed CA ($dir/$name.crt, $dir/$name.key).
sub make_ca
{
	my ($dir, $name) = @_;
	_openssl($dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30',
		'-subj', "/CN=$name", '-keyout', "$dir/$name.key", '-out', "$dir/$name.crt",
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
	chmod 0600, "$dir/$name.key";
	return "$dir/$name.crt";
}

# make_cert($dir, $name, $cn, $ca, %o): a certificate signed by CA $ca
# ($dir/$name.crt and a 0600 key); o{server} adds localhost/127.0.0.1 names.
sub make_cert
{
	my ($dir, $name, $cn, $ca, %o) = @_;
	_openssl($dir, 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', "/CN=$cn",
		'-keyout', "$dir/$name.key", '-out', "$dir/$name.csr");
	my $ext = "$dir/$name.ext";
	spew($ext, $o{server} ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n" : "basicConstraints=CA:FALSE\n");
	_openssl($dir, 'x509', '-req', '-in', "$dir/$name.csr", '-CA', "$dir/$ca.crt", '-CAkey',
		"$dir/$ca.key", '-CAcreateserial', '-days', '30', '-out', "$dir/$name.crt", '-extfile', $ext);
	chmod 0600, "$dir/$name.key";
	chown_test("$dir/$name.key", "$dir/$name.crt");
	return ("$dir/$name.crt", "$dir/$name.key");
}

# PBKDF2-HMAC-SHA-256 with one block (SCRAM's Hi()).
sub pbkdf2
{
	my ($password, $salt, $iter) = @_;
	my $u = hmac_sha256($salt . pack('N', 1), $password);
	my $r = $u;
	for (2 .. $iter)
	{
		$u = hmac_sha256($u, $password);
		$r ^= $u;
	}
	return $r;
}

# A SCRAM secret as PostgreSQL stores it, computed here.
sub scram_secret
{
	my ($password, $salt, $iter) = @_;
	my $salted = pbkdf2($password, $salt, $iter);
	my $stored = sha256(hmac_sha256('Client Key', $salted));
	my $server = hmac_sha256('Server Key', $salted);
	return sprintf('SCRAM-SHA-256$%d:%s$%s:%s', $iter, _b64($salt), _b64($stored), _b64($server));
}

sub _b64 { my $s = encode_base64($_[0], ''); return $s; }

# Text of an ErrorResponse message ([type, payload]) or ''.
sub wire_error
{
	my (@msgs) = @_;
	for my $m (@msgs)
	{
		return PgpoolTest::Wire::error_text($m->[1]) if $m->[0] eq 'E';
	}
	return '';
}

# Start a SCRAM login on a new connection: startup, read the SASL request,
# send client-first.  Returns a state hashref (wire, client nonce, server
# first message) or undef with $@ set.
sub scram_begin
{
	my ($port, $user, $db) = @_;
	my $w = PgpoolTest::Wire->connect($port) or do { $@ = 'connect failed'; return undef; };
	$w->send_raw(PgpoolTest::Wire::startup_packet($user, $db));
	my ($t, $p) = $w->read_msg(15);
	if (!defined $t || $t ne 'R' || unpack('N', $p) != 10)
	{
		$@ = 'no SASL request: ' . ($t // 'eof') . ' ' . ($t && $t eq 'E' ? PgpoolTest::Wire::error_text($p) : '');
		return undef;
	}
	my $nonce = _b64(join('', map { chr(int(rand(256))) } 1 .. 18));
	my $first = "n,,n=,r=$nonce";
	$w->send_msg('p', "SCRAM-SHA-256\0" . pack('N', length $first) . $first);
	($t, $p) = $w->read_msg(15);
	if (!defined $t || $t ne 'R' || unpack('N', $p) != 11)
	{
		$@ = 'no SASL continue: ' . ($t // 'eof');
		return undef;
	}
	return { wire => $w, bare => "n=,r=$nonce", server_first => substr($p, 4), nonce => $nonce };
}

# The client-final-message for a state and password (optionally with the
# nonce of another exchange: a replay).
sub scram_finish
{
	my ($st, $password, %o) = @_;
	my %a = map { /^(\w)=(.*)$/ ? ($1 => $2) : () } split /,/, $st->{server_first};
	my $salted = pbkdf2($password, decode_base64($a{s}), $a{i});
	my $client_key = hmac_sha256('Client Key', $salted);
	my $without = 'c=biws,r=' . ($o{nonce} // $a{r});
	my $auth = "$st->{bare},$st->{server_first},$without";
	my $sig = hmac_sha256($auth, sha256($client_key));
	return "$without,p=" . _b64($client_key ^ $sig);
}

1;

# TLS: clients with sslmode=require / verify-ca / verify-full, hostssl and
# hostnossl rules, cert authentication (valid, missing, wrong name, unknown
# CA, revoked), SCRAM with channel binding, TLS from pgpool to a backend
# with ssl = on (pg_stat_ssl) verified with ssl_ca_cert, unencrypted data
# after SSLRequest, a stalled handshake, relative file names (read from
# pgpool.conf's directory), an encrypted key with and without
# ssl_passphrase_command, and misconfigured key and certificate files
# (pgpool-II 4.3: a WARNING, and pgpool runs without client SSL).
# Certificates are made by the test.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Auth qw(psql_as write_pool_passwd make_ca make_cert wire_error);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user run_cmd spew chown_test test_dir);
use PgpoolTest::Wire;

my $su = pg_user();
my $d = test_dir() . '/certs';
mkdir $d;
chown_test($d);
make_ca($d, 'rootca');
make_ca($d, 'evilca');
make_cert($d, 'server', 'localhost', 'rootca', server => 1);
make_cert($d, 'backend', 'localhost', 'rootca', server => 1);
make_cert($d, 'evilbackend', 'localhost', 'evilca', server => 1);
make_cert($d, 'certuser', 'certuser', 'rootca');
make_cert($d, 'other', 'other', 'rootca');
make_cert($d, 'evil', 'certuser', 'evilca');
make_cert($d, 'revoked', 'revuser', 'rootca');
make_cert($d, 'mismatch', 'localhost', 'rootca', server => 1);

# a CRL of rootca revoking "revoked"
spew("$d/ca.cnf", join("\n", '[ ca ]', 'default_ca = testca', '[ testca ]', "database = $d/index.txt",
	"new_certs_dir = $d", "certificate = $d/rootca.crt", "private_key = $d/rootca.key",
	"serial = $d/serial", "crlnumber = $d/crlnumber", 'default_md = sha256', 'default_crl_days = 30',
	'policy = pol', '[ pol ]', 'commonName = supplied', ''));
spew("$d/index.txt", '');
spew("$d/crlnumber", "1000\n");
chown_test("$d/ca.cnf", "$d/index.txt", "$d/crlnumber", "$d/rootca.key");
for my $args (['ca', '-config', "$d/ca.cnf", '-revoke', "$d/revoked.crt"],
	['ca', '-config', "$d/ca.cnf", '-gencrl', '-out', "$d/crl.pem"])
{
	my ($rc, $out, $err) = run_cmd(['openssl', @$args]);
	is($rc, 0, "openssl @$args[0..1] $args->[-1]") or diag $err;
}

my @users = qw(certuser revuser sslonly plainonly bob);
my $node = PgpoolTest::Node->new('node0')->init(conf => join("\n", 'ssl = on',
	"ssl_cert_file = '$d/backend.crt'", "ssl_key_file = '$d/backend.key'"));
$node->start;
$node->create_user($_) for grep { $_ ne 'bob' } @users;
$node->create_user('bob', password => 'bob pw', encryption => 'scram-sha-256');
$node->query('grant all on database testdb to ' . join(', ', @users));
$node->set_hba(['local all all trust', 'hostssl all bob 127.0.0.1/32 scram-sha-256',
	'hostssl all all 127.0.0.1/32 trust']);
$node->reload;

my %conf = (ssl => 'on', ssl_cert => "$d/server.crt", ssl_key => "$d/server.key",
	ssl_ca_cert => "$d/rootca.crt", ssl_crl_file => "$d/crl.pem", enable_pool_hba => 'on',
	authentication_timeout => 5, num_init_children => 2);
my $pp = PgpoolTest::Pgpool->new(nodes => [$node], conf => \%conf, pool_hba => [
	'local all all trust',
	'hostssl all certuser 127.0.0.1/32 cert',
	'hostssl all revuser 127.0.0.1/32 cert',
	'hostssl all sslonly 127.0.0.1/32 trust',
	'hostnossl all plainonly 127.0.0.1/32 trust',
	'host all bob 127.0.0.1/32 scram-sha-256',
	"host all $su 127.0.0.1/32 trust",
]);
$pp->write_files;
write_pool_passwd($pp, 'bob:TEXTbob pw');
ok($pp->start, 'pgpool starts with ssl = on') or die "cannot continue";

my %req = (sslmode => 'require');
my %ca = (sslmode => 'verify-ca', sslrootcert => "$d/rootca.crt");

# --- client TLS ---------------------------------------------------------------
{
	my ($rc, $out, $err) = psql_as($pp, $su, undef, "\\conninfo\nselect 'ok';\n", ssl => \%req, script => 1);
	like($out, qr/SSL connection \(protocol: TLSv1\.[23]/, 'sslmode=require: the client connection uses TLS') or diag $err;
	like($out, qr/^ok$/m, 'and queries work');
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%ca);
	is($out, '1', 'sslmode=verify-ca with the test CA') or diag $err;
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1',
		ssl => { sslmode => 'verify-full', sslrootcert => "$d/rootca.crt" });
	is($out, '1', 'sslmode=verify-full (certificate names 127.0.0.1)') or diag $err;
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1',
		ssl => { sslmode => 'verify-ca', sslrootcert => "$d/evilca.crt" });
	isnt($rc, 0, 'verify-ca against another CA fails');
	like($err, qr/certificate verify failed/, '... because the certificate does not verify');
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
		ssl => \%req);
	is($out, 't', 'pgpool talks TLS to the backend (pg_stat_ssl on the backend)') or diag $err;
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1');
	is($out, '1', 'plain connections still work on host lines');
}

# --- hostssl / hostnossl -------------------------------------------------------
{
	my ($rc, $out, $err) = psql_as($pp, 'sslonly', undef, 'select current_user');
	isnt($rc, 0, 'hostssl refuses a plain connection');
	like($err, qr/no pool_hba.conf entry for host "127.0.0.1", user "sslonly", database "testdb", SSL off/,
		'with the no-entry message (SSL off)');
	($rc, $out, $err) = psql_as($pp, 'sslonly', undef, 'select current_user', ssl => \%req);
	is($out, 'sslonly', 'hostssl accepts the TLS connection') or diag $err;
	($rc, $out, $err) = psql_as($pp, 'plainonly', undef, 'select current_user', ssl => \%req);
	like($err, qr/no pool_hba.conf entry for host "127.0.0.1", user "plainonly", database "testdb", SSL on/,
		'hostnossl refuses a TLS connection (SSL on)');
	($rc, $out, $err) = psql_as($pp, 'plainonly', undef, 'select current_user');
	is($out, 'plainonly', 'hostnossl accepts a plain one') or diag $err;
}

# --- cert authentication -----------------------------------------------------------
{
	my %cert = (%ca, sslcert => "$d/certuser.crt", sslkey => "$d/certuser.key");
	my $pos = $pp->log_position;
	my ($rc, $out, $err) = psql_as($pp, 'certuser', undef, 'select current_user', ssl => \%cert);
	is($out, 'certuser', 'cert: a valid certificate with CN = user logs in') or diag $err;
	like(substr($pp->log_content, $pos),
		qr/LOG:.*SSL certificate authentication for user "certuser" with Pgpool-II is successful/,
		'LOG: SSL certificate authentication ... is successful');
	($rc, $out, $err) = psql_as($pp, 'certuser', undef, 'select 1', ssl => \%ca);
	isnt($rc, 0, 'cert: no client certificate is refused');
	like($err, qr/connection requires a valid client certificate/, '... with PostgreSQL\'s message');
	($rc, $out, $err) = psql_as($pp, 'certuser', undef, 'select 1',
		ssl => { %ca, sslcert => "$d/other.crt", sslkey => "$d/other.key" });
	like($err, qr/certificate authentication failed for user "certuser"/, 'cert: a certificate of another name');
	($rc, $out, $err) = psql_as($pp, 'certuser', undef, 'select 1',
		ssl => { %ca, sslcert => "$d/evil.crt", sslkey => "$d/evil.key" });
	isnt($rc, 0, 'cert: a certificate from an unknown CA is refused');
	like($err, qr/unknown ca|certificate verify failed|alert/i, '... during the handshake') or diag $err;
	($rc, $out, $err) = psql_as($pp, 'revuser', undef, 'select 1',
		ssl => { %ca, sslcert => "$d/revoked.crt", sslkey => "$d/revoked.key" });
	isnt($rc, 0, 'cert: a revoked certificate (ssl_crl_file) is refused');
	like($err, qr/revoked|alert/i, '... during the handshake') or diag $err;
}

# --- SCRAM with channel binding -------------------------------------------------------
{
	my ($rc, $out, $err) = psql_as($pp, 'bob', 'bob pw', 'select current_user',
		ssl => { %req, channel_binding => 'require' });
	is($out, 'bob', 'SCRAM-SHA-256-PLUS (channel_binding=require) to pgpool, SCRAM to the backend over TLS')
	  or diag $err;
	($rc, $out, $err) = psql_as($pp, 'bob', 'wrong', 'select 1', ssl => { %req, channel_binding => 'require' });
	like($err, qr/password authentication failed for user "bob"/, 'wrong password with channel binding');
	($rc, $out, $err) = psql_as($pp, 'bob', 'bob pw', 'select current_user', ssl => { %req, channel_binding => 'disable' });
	is($out, 'bob', 'SCRAM without channel binding over TLS');
}

# --- raw protocol: stuffed SSLRequest, stalled handshake, GSSENCRequest ----------------
{
	my $w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(pack('NN', 8, 80877103) . PgpoolTest::Wire::startup_packet($su, 'testdb'));
	my @m = $w->read_until_ready(10);
	like(wire_error(@m), qr/received unencrypted data after SSL request/, 'data after SSLRequest is refused');

	$w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(pack('NN', 8, 80877104));
	my ($bytes) = $w->read_all(2);
	is($bytes, 'N', 'GSSENCRequest is answered N');
	$w->send_raw(pack('NN', 8, 80877103));
	$w->{buf} = '';
	($bytes) = $w->read_all(2);
	is($bytes, 'S', 'then SSLRequest is answered S');
	my ($rest, $how) = $w->read_all(60);
	is($how, 'eof', 'a client that never starts the handshake is dropped (authentication_timeout)');
	ok($pp->wait_for_log(qr/authentication timeout/, 10), 'and the timeout is logged');

	my ($rc, $out) = psql_as($pp, $su, undef, 'select 1', ssl => \%req);
	is($out, '1', 'the next client is served');
}

# --- backends: verified, unverifiable, without SSL --------------------------------------
{
	my $evil = PgpoolTest::Node->new('node1')->init(conf => join("\n", 'ssl = on',
		"ssl_cert_file = '$d/evilbackend.crt'", "ssl_key_file = '$d/evilbackend.key'"))->start;
	my $plain = PgpoolTest::Node->new('node2')->init->start;
	my $p2 = PgpoolTest::Pgpool->new(name => 'pgpool2', nodes => [$evil],
		conf => { ssl => 'on', ssl_ca_cert => "$d/rootca.crt" });
	$p2->launch;
	ok($p2->wait_for_log(qr/successfully started/, 30), 'pgpool with ssl_ca_cert and an unverifiable backend starts');
	my ($rc, $out, $err) = $p2->psql('select 1');
	isnt($rc, 0, '... but cannot use the backend whose certificate does not verify');
	like($err, qr/could not establish SSL connection to backend node 0/, 'the client is told') or diag $err;
	$p2->stop('fast');
	$p2->set_conf(ssl_ca_cert => '');
	ok($p2->start, 'without ssl_ca_cert the backend certificate is not checked');
	($rc, $out, $err) = $p2->psql('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
	is($out, 't', '... and the connection is TLS') or diag $err;
	$p2->stop('fast');
	my $p3 = PgpoolTest::Pgpool->new(name => 'pgpool3', nodes => [$plain], conf => { ssl => 'on' });
	ok($p3->start, 'ssl = on with a backend without SSL: clear text to it');
	($rc, $out, $err) = $p3->psql('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
	is($out, 'f', '... pg_stat_ssl says no SSL') or diag $err;
	$p3->stop('fast');
}

# --- relative file names, passphrases --------------------------------------------------
{
	$pp->stop('fast');
	# the harness's pgpool.conf is in $pp->dir, the certificates in its sibling "certs"
	$pp->set_conf(%conf, ssl_cert => '../certs/server.crt', ssl_key => '../certs/server.key',
		ssl_ca_cert => '../certs/rootca.crt', ssl_crl_file => '../certs/crl.pem');
	ok($pp->start, 'pgpool starts with relative ssl_cert, ssl_key, ssl_ca_cert, ssl_crl_file');
	my ($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%ca);
	is($out, '1', '... read from the directory of pgpool.conf (verify-ca works)') or diag $err;
	($rc, $out, $err) = psql_as($pp, 'certuser', undef, 'select current_user',
		ssl => { %ca, sslcert => "$d/certuser.crt", sslkey => "$d/certuser.key" });
	is($out, 'certuser', '... and cert authentication with the relative CA') or diag $err;
	$pp->stop('fast');

	($rc, $out, $err) = run_cmd(['openssl', 'pkey', '-in', "$d/server.key", '-aes256',
		'-passout', 'pass:s3cret', '-out', "$d/enc.key"]);
	is($rc, 0, 'an encrypted copy of the server key') or diag $err;
	chmod 0600, "$d/enc.key";
	chown_test("$d/enc.key");
	$pp->set_conf(%conf, ssl_key => "$d/enc.key", ssl_passphrase_command => 'echo s3cret # %p');
	ok($pp->start, 'pgpool starts with the encrypted key and ssl_passphrase_command');
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%ca);
	is($out, '1', '... and clients use SSL') or diag $err;
	$pp->stop('fast');

	$pp->set_conf(%conf, ssl_key => "$d/enc.key", ssl_passphrase_command => undef);
	my $pos = $pp->log_position;
	ok($pp->start, 'pgpool starts with the encrypted key and no ssl_passphrase_command');
	like(substr($pp->log_content, $pos),
		qr/WARNING:.*private key file "\Q$d\E\/enc.key" cannot be reloaded because it requires a passphrase/,
		'WARNING: private key file ... cannot be reloaded because it requires a passphrase');
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%req);
	isnt($rc, 0, '... clients cannot use SSL');
	like($err, qr/server does not support SSL/, '... pgpool answers N to SSLRequest') or diag $err;
	($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1');
	is($out, '1', '... plain connections work') or diag $err;
	$pp->stop('fast');
}

# --- misconfigured files: a WARNING naming the file, pgpool runs without client SSL ----------
{
	for my $case (
		[{ ssl_key => "$d/missing.key" }, qr/could not load private key file "\Q$d\E\/missing.key": No such file/],
		[{ ssl_key => "$d/mismatch.key" }, qr/(private key.*\Q$d\E\/mismatch.key|\Q$d\E\/mismatch.key.*mismatch)/s],
		[{ ssl_cert => "$d/ca.cnf" }, qr/could not load server certificate file "\Q$d\E\/ca.cnf"/],
		[{ ssl_ca_cert => "$d/missing-ca.crt" }, qr/could not load root certificate file "\Q$d\E\/missing-ca.crt"/,
			'backend'],
		[{ ssl_crl_file => "$d/ca.cnf" }, qr/could not load SSL certificate revocation list file "\Q$d\E\/ca.cnf"/],
		[{ ssl_ciphers => 'NO-SUCH-CIPHER' }, qr/could not set the cipher list/, 'backend'],
	  )
	{
		my ($set, $re, $backend_too) = @$case;
		$pp->set_conf(%conf, ssl_ciphers => undef, %$set);
		my $pos = $pp->log_position;
		my $what = join(', ', map { "$_ = $set->{$_}" } keys %$set);
		$pp->launch;
		ok($pp->wait_for_log(qr/successfully started/, 30, $pos), "pgpool starts with $what");
		my $log = substr($pp->log_content, $pos);
		like($log, $re, "... names the problem ($what)");
		like($log, qr/WARNING:.*SSL set-up failed: clients cannot use SSL connections/, "... WARNING ($what)");
		my ($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%req);
		like($err, qr/server does not support SSL/, "... no client SSL ($what)") or diag $err;
		($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1');
		if ($backend_too)
		{
			# the backend context failed too: clear text to a backend that wants SSL (hostssl)
			like($log, qr/WARNING:.*SSL set-up for backend connections failed/, "... backend WARNING ($what)");
			like($err, qr/no pg_hba.conf entry .* no encryption/, "... the backend sees no SSL ($what)");
		}
		else
		{
			is($out, '1', "... plain connections work ($what)") or diag $err;
		}
		$pp->stop('fast');
	}
	$pp->set_conf(%conf, ssl_ciphers => undef);
	ok($pp->start, 'pgpool starts again with the right files');
	my ($rc, $out, $err) = psql_as($pp, $su, undef, 'select 1', ssl => \%req);
	is($out, '1', '... and clients use SSL again') or diag $err;
}

done_testing();

# pg_md5 and pg_enc: their outputs checked against independently computed
# values (Digest::MD5, the openssl command), the pool_passwd forms (-m, -u,
# -f, --md5auth, --username, -i), prompts, --help, errors and exit codes,
# and pgpool logging users in with the entries they wrote.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use File::Copy qw(copy);
use PgpoolTest::Auth qw(psql_as);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user pgpool_bin run_cmd spew slurp chown_test test_dir);

my $dir = test_dir();

# The tool from the build tree, copied where the test user can run it.
sub tool
{
	my ($name) = @_;
	(my $src = pgpool_bin()) =~ s{pgpool$}{$name};
	my $dst = "$dir/$name";
	copy($src, $dst) or die "copy $src: $!";
	chmod 0755, $dst;
	return $dst;
}
my $pg_md5 = tool('pg_md5');
my $pg_enc = tool('pg_enc');

# Run a tool without a controlling terminal (prompts then read stdin).
sub run
{
	my ($cmd, %o) = @_;
	return run_cmd(['setsid', '-w', @$cmd], %o);
}

sub openssl_enc
{
	my ($plain, $key) = @_;
	my ($rc, $out) = run_cmd(['openssl', 'enc', '-aes-256-cbc', '-md', 'sha256', '-nosalt', '-a', '-A',
		'-pass', "pass:$key"], stdin => $plain);
	return $out;
}

sub openssl_dec
{
	my ($b64, $key) = @_;
	my ($rc, $out) = run_cmd(['openssl', 'enc', '-d', '-aes-256-cbc', '-md', 'sha256', '-nosalt', '-a', '-A',
		'-pass', "pass:$key"], stdin => $b64);
	return $out;
}

# --- pg_md5 ------------------------------------------------------------------
{
	my ($rc, $out, $err) = run([$pg_md5, 'foo']);
	is($rc, 0, 'pg_md5 PASSWORD exits 0');
	is($out, md5_hex('foo') . "\n", 'pg_md5 foo prints md5("foo")');
	($rc, $out) = run([$pg_md5, 'a longer pass phrase']);
	is($out, md5_hex('a longer pass phrase') . "\n", 'pg_md5 with spaces');
	($rc, $out, $err) = run([$pg_md5, '-p'], stdin => "prompted pw\n");
	is($out, md5_hex('prompted pw') . "\n", 'pg_md5 -p reads the password');
	($rc, $out) = run([$pg_md5, '--help']);
	is($rc, 0, 'pg_md5 --help exits 0');
	like($out, qr/--md5auth/, 'and documents --md5auth');
	($rc, $out, $err) = run([$pg_md5]);
	is($rc, 1, 'pg_md5 without a password exits 1');
	($rc, $out, $err) = run([$pg_md5, '-u', 'x', 'pw']);
	is($rc, 1, 'pg_md5 -u without -m exits 1');
	like($err, qr/need -m/, 'with an explanation');
}

# --- pg_md5 -m: pool_passwd entries ----------------------------------------------
my $conf = "$dir/tools/pgpool.conf";
mkdir "$dir/tools";
spew($conf, "pool_passwd = 'passwd_file'\n");
chown_test("$dir/tools", $conf);
my $pwfile = "$dir/tools/passwd_file";
{
	my ($rc, $out, $err) = run([$pg_md5, '-m', '-f', $conf, '-u', 'alice', 'alice pw']);
	is($rc, 0, 'pg_md5 -m -f conf -u alice PASSWORD exits 0') or diag $err;
	is(slurp($pwfile), 'alice:md5' . md5_hex('alice pw' . 'alice') . "\n",
		'pool_passwd (named by pgpool.conf, next to it) has md5(password || user)');
	is((stat $pwfile)[2] & 0777, 0600, 'created readable by its owner only');
	($rc, $out, $err) = run([$pg_md5, '--md5auth', "--config-file=$conf", '--username=bob', 'bob pw']);
	is($rc, 0, 'pg_md5 --md5auth --username=bob exits 0') or diag $err;
	($rc, $out, $err) = run([$pg_md5, '-m', '-f', $conf, '-u', 'alice', 'new alice pw']);
	is(slurp($pwfile), 'bob:md5' . md5_hex('bob pw' . 'bob') . "\n" .
		'alice:md5' . md5_hex('new alice pw' . 'alice') . "\n", 'a second entry added, alice replaced');
	($rc, $out, $err) = run([$pg_md5, '-m', '-f', $conf, '-u', 'carol', '-p'], stdin => "carol pw\n");
	like(slurp($pwfile), qr/^carol:md5${\ md5_hex('carol pw' . 'carol')}$/m, 'pg_md5 -m -p');
	spew("$dir/tools/users.txt", "# users\ndave:dave pw\nerin:erin pw\n");
	chown_test("$dir/tools/users.txt");
	($rc, $out, $err) = run([$pg_md5, '-m', '-f', $conf, '-i', "$dir/tools/users.txt"]);
	is($rc, 0, 'pg_md5 -m -i FILE exits 0') or diag $err;
	like(slurp($pwfile), qr/^dave:md5${\ md5_hex('dave pw' . 'dave')}$/m, '-i: first user');
	like(slurp($pwfile), qr/^erin:md5${\ md5_hex('erin pw' . 'erin')}$/m, '-i: second user');
	($rc, $out, $err) = run([$pg_md5, '-m', '-f', "$dir/tools/missing.conf", '-u', 'x', 'pw']);
	is($rc, 1, 'pg_md5 -m with a missing pgpool.conf exits 1');
	like($err, qr/could not open configuration file/, 'and says so');
}

# --- pg_enc ----------------------------------------------------------------------
my $keyfile = "$dir/tools/key";
spew($keyfile, "the enc key\n");
chmod 0600, $keyfile;
chown_test($keyfile);
{
	my ($rc, $out, $err) = run([$pg_enc, '-K', 'the enc key', 'secret pw']);
	is($rc, 0, 'pg_enc -K KEY PASSWORD exits 0') or diag $err;
	my $expect = openssl_enc('secret pw', 'the enc key');
	like($expect, qr/^[A-Za-z0-9+\/]+=*$/, 'openssl computed the expected value');
	is($out, "$expect\npool_passwd string: AES$expect\n", 'pg_enc output equals openssl enc');
	($rc, $out, $err) = run([$pg_enc, '-k', $keyfile, 'secret pw']);
	is($out, "$expect\npool_passwd string: AES$expect\n", 'pg_enc -k KEYFILE (first line is the key)');
	like($err, qr/trying to read key from file \Q$keyfile\E/, 'says where the key comes from');
	($rc, $out, $err) = run([$pg_enc, 'secret pw'], env => { PGPOOLKEYFILE => $keyfile });
	is($out, "$expect\npool_passwd string: AES$expect\n", 'pg_enc with $PGPOOLKEYFILE');
	($rc, $out, $err) = run([$pg_enc, '-p', '-P'], stdin => "the enc key\nsecret pw\n");
	is($out, "$expect\npool_passwd string: AES$expect\n", 'pg_enc -P -p (key and password prompted)')
	  or diag $err;
	($rc, $out, $err) = run([$pg_enc, '-k', "$dir/tools/nokey", 'pw']);
	is($rc, 1, 'pg_enc with an unreadable key file exits 1');
	like($err, qr/could not read the encryption key/, 'and says so');
	($rc, $out, $err) = run([$pg_enc, '-K', 'k']);
	is($rc, 1, 'pg_enc without a password exits 1');
	($rc, $out) = run([$pg_enc, '--help']);
	is($rc, 0, 'pg_enc --help exits 0');
	like($out, qr/--update-pass/, 'and documents --update-pass');

	($rc, $out, $err) = run([$pg_enc, '-m', '-f', $conf, '-k', $keyfile, '-u', 'frank', 'frank pw']);
	is($rc, 0, 'pg_enc -m -u frank exits 0') or diag $err;
	my ($aes) = slurp($pwfile) =~ /^frank:AES(\S+)$/m;
	ok($aes, 'pool_passwd has an AES entry for frank');
	is(openssl_dec($aes, 'the enc key'), 'frank pw', 'openssl decrypts it to the password');
	like(slurp($pwfile), qr/^bob:md5/m, 'the other entries are kept');
	spew("$dir/tools/enc.txt", "gina:gina pw\n");
	chown_test("$dir/tools/enc.txt");
	($rc, $out, $err) = run([$pg_enc, '-m', '-f', $conf, '-K', 'the enc key', '-i', "$dir/tools/enc.txt"]);
	is($rc, 0, 'pg_enc -m -i FILE exits 0') or diag $err;
	my ($g) = slurp($pwfile) =~ /^gina:AES(\S+)$/m;
	is(openssl_dec($g // '', 'the enc key'), 'gina pw', 'pg_enc -i entry decrypts');
}

# --- pgpool uses what the tools wrote ---------------------------------------------
{
	my $su = pg_user();
	my $node = PgpoolTest::Node->new('node0')->init->start;
	$node->create_user('alice', encryption => 'md5', password => 'new alice pw');
	$node->create_user('frank', encryption => 'scram-sha-256', password => 'frank pw');
	$node->query('grant all on database testdb to alice, frank');
	$node->set_hba(['local all all trust', "host all $su 127.0.0.1/32 trust",
		'host all alice 127.0.0.1/32 md5', 'host all frank 127.0.0.1/32 scram-sha-256']);
	$node->reload;
	my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
		pool_hba => ['local all all trust', "host all $su 127.0.0.1/32 trust",
			'host all alice 127.0.0.1/32 md5', 'host all frank 127.0.0.1/32 scram-sha-256'],
		conf => { enable_pool_hba => 'on', pool_passwd => $pwfile });
	ok($pp->start(args => ['-k', $keyfile]), 'pgpool starts with the tools\' pool_passwd') or die;
	my ($rc, $out, $err) = psql_as($pp, 'alice', 'new alice pw', 'select current_user');
	is($out, 'alice', 'md5 entry from pg_md5 -m logs alice in (md5 to pgpool and to the backend)') or diag $err;
	($rc, $out, $err) = psql_as($pp, 'frank', 'frank pw', 'select current_user');
	is($out, 'frank', 'AES entry from pg_enc -m logs frank in (scram to pgpool and to the backend)') or diag $err;
}

done_testing();

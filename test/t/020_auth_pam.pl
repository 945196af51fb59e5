# The pam method of pool_hba.conf with a real PAM module: pam_unix through
# the sample service file (sample/pgpool.pam) installed under a service
# name of this test (pamservice=).  pam_unix, run by the unprivileged user
# pgpool runs as, checks that user's own password (unix_chkpwd), so the test
# gives the test user a password for its duration and restores it after.
# Needs root and pgpool built --with-pam.
use strict;
use warnings;
use Test::More;
use File::Copy qw(copy);
use PgpoolTest::Auth qw(psql_as);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user pgpool_bin is_root slurp on_cleanup);

plan skip_all => 'needs root to install a PAM service and set a password' unless is_root();
(my $builddir = pgpool_bin()) =~ s{/pgpool$}{};
plan skip_all => 'pgpool built without PAM (configure --with-pam)'
  unless slurp("$builddir/include/pgpool_config.h") =~ /^#define USE_PAM 1/m;
my $srcdir = $ENV{PGPOOL_SRCDIR} // "$builddir";
my $sample = "$srcdir/sample/pgpool.pam";
plan skip_all => "no $sample" unless -f $sample;

my $user = pg_user();
my $service = "pgpool-test-$$";
my $pamfile = "/etc/pam.d/$service";
copy($sample, $pamfile) or die "install $pamfile: $!";
my ($old_hash) = slurp('/etc/shadow') =~ /^\Q$user\E:([^:]*):/m;
on_cleanup(sub {
	unlink $pamfile;
	system('usermod', '-p', $old_hash // '!', $user) if defined $old_hash;
});
open(my $cp, '|-', 'chpasswd') or die "chpasswd: $!";
print $cp "$user:pam test pw\n";
close($cp) or die "chpasswd failed";

my $node = PgpoolTest::Node->new('node0')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	pool_hba => ['local all all trust', "host postgres $user 127.0.0.1/32 trust",
		"host testdb $user 127.0.0.1/32 pam pamservice=$service",
		"host testdb nosuchosuser 127.0.0.1/32 pam pamservice=$service"],
	conf => { enable_pool_hba => 'on' });
ok($pp->start, 'pgpool starts with a pam rule') or die "cannot continue";

my ($rc, $out, $err) = psql_as($pp, $user, 'pam test pw', 'select current_user');
is($out, $user, 'pam: the right password logs in') or diag $err;
($rc, $out, $err) = psql_as($pp, $user, 'wrong pw', 'select current_user');
isnt($rc, 0, 'pam: a wrong password is refused');
like($err, qr/FATAL:  PAM authentication failed for user "\Q$user\E"/, '... with PostgreSQL\'s message');
($rc, $out, $err) = psql_as($pp, $user, undef, 'select 1');
isnt($rc, 0, 'pam: no password is refused');
($rc, $out, $err) = psql_as($pp, 'nosuchosuser', 'pam test pw', 'select 1');
like($err, qr/PAM authentication failed for user "nosuchosuser"/, 'pam: an unknown system user is refused');
like($pp->log_content, qr/pam_authenticate failed/, 'the reason is logged');
unlike($pp->log_content, qr/pam test pw|wrong pw/, 'no password in the log');
($rc, $out, $err) = psql_as($pp, $user, 'pam test pw', 'select current_user');
is($out, $user, 'pam: the right password again (pooled backend)') or diag $err;

done_testing();

# pgpooladmin's page in a real browser: headless Chromium driven by
# python3-selenium (test/tools/admin_ui.py) logs in, sees both nodes,
# detaches one from the page and sees it marked down, and changes a
# parameter in the pgpool.conf editor; the test checks pgpool and the file
# behind it.  Screenshots of each step are kept under the build tree's
# test/artifacts/081_admin_ui/.  Skipped when chromium, chromedriver or
# selenium are missing (scripts/install-deps.sh installs them).
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use Test::More;
use PgpoolTest::Util qw(run_cmd wait_until slurp test_dir chown_test);

my ($chromium) = grep { -x } ('/usr/bin/chromium', '/usr/bin/chromium-browser');
my ($driver) = grep { -x } ('/usr/bin/chromedriver');
plan skip_all => 'chromium is not installed (apt-get install chromium)' unless $chromium;
plan skip_all => 'chromedriver is not installed (apt-get install chromium-driver)' unless $driver;
# Debian's python3-selenium belongs to the system python, whatever PATH says
my ($python) = grep { -x } ('/usr/bin/python3');
$python //= 'python3';
my ($rc) = run_cmd([$python, '-c', 'import selenium']);
plan skip_all => 'python3-selenium is not installed' if $rc;

require PgpoolTest::Admin;
require PgpoolTest::Node;
require PgpoolTest::Pgpool;

my $node0 = PgpoolTest::Node->new('node0')->init->start;
my $node1 = PgpoolTest::Node->new('node1')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node0, $node1]);
ok($pp->start, 'pgpool starts') or die "cannot continue";
my $adm = PgpoolTest::Admin->new($pp);
ok($adm->start, 'pgpooladmin starts') or die "cannot continue";

my $src = $ENV{PGPOOL_SRCDIR} // '.';
my $shots = test_dir() . '/screenshots';
mkdir $shots;
chown_test($shots);
my ($out, $err);
($rc, $out, $err) = run_cmd([$python, "$src/test/tools/admin_ui.py", '--url', $adm->url('/'),
	'--user', 'pgpool', '--password', 'pgpool', '--node', 1, '--param', 'client_idle_limit',
	'--value', 55, '--shots', $shots, '--chromium', $chromium, '--chromedriver', $driver],
	timeout => 240);
if ($rc == 77)
{
	diag "browser could not start: $out$err";
	done_testing();
	exit 0;
}

# keep the screenshots as artifacts whatever happened
my $keep = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/artifacts/081_admin_ui';
make_path($keep);
copy($_, $keep) for glob("$shots/*.png");
note "screenshots in $keep";

like($out, qr/^STEP logged-in$/m, 'logged in from the login form') or diag "$out\n$err";
like($out, qr/^STEP two-nodes$/m, 'the status page shows both nodes');
like($out, qr/^STEP node-down$/m, 'detach from the page: node 1 marked down');
my ($r2, $nodes) = $pp->psql('SHOW pool_nodes');
like($nodes, qr/^1\|[^|]*\|[^|]*\|down\|/m, 'and pgpool agrees (SHOW pool_nodes)');
like($out, qr/^STEP config-saved$/m, 'the editor saved a parameter');
like(slurp($pp->conf_file), qr/^client_idle_limit = 55$/m, 'the new value is in pgpool.conf');
ok(wait_until(sub { ($pp->psql('SHOW pool_status'))[1] =~ /^client_idle_limit\|55\|/m }, 20),
	'and live after the reload the editor asked for');
is($rc, 0, 'the browser script passed every step') or diag "$out\n$err";
ok(-s "$keep/02-status.png", 'screenshots kept');

done_testing();

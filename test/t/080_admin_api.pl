# pgpooladmin's JSON API and /metrics with curl, against a live pgpool with
# two PostgreSQL nodes in raw mode: who may ask (401, sessions, CSRF), every
# action observed through SHOW pool_nodes or the process itself, config
# edits refused with the parameter's error or written and reloaded, the
# pool_hba.conf and pcp.conf editors, /metrics parsed line by line, no
# secret in any answer or log line, and hostile clients (path traversal,
# oversized bodies and headers, slow clients) refused while it keeps serving.
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time);
use PgpoolTest::Admin;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(wait_until slurp spew test_dir);

my $node0 = PgpoolTest::Node->new('node0')->init->start;
my $node1 = PgpoolTest::Node->new('node1')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node0, $node1],
	conf => { health_check_password => 'HcSecret42' },
	extra_conf => "# comment kept by the editor\n");
ok($pp->start, 'pgpool starts') or die "cannot continue";
my $adm = PgpoolTest::Admin->new($pp, args => ['--pgpool-bin', $pp->bin]);
ok($adm->start, 'pgpooladmin starts') or die "cannot continue";
my $secret = 'S3cret-Admin-PW';
my @answers;    # every body, checked for secrets at the end

sub node_status
{
	my ($id) = @_;
	my ($rc, $out) = $pp->psql('SHOW pool_nodes');
	for my $l (split /\n/, $out)
	{
		my @f = split /\|/, $l;
		return $f[3] if $f[0] eq $id;
	}
	return '';
}

sub api { my $r = $adm->api(@_); push @answers, $r->{body}; return $r; }

# --- who may ask -------------------------------------------------------------------
my $r = $adm->request('GET', '/');
is($r->{code}, 200, 'anonymous GET / answers');
like($r->{body}, qr/id="login-form"/, 'with the login form');
is($r->{headers}{'x-frame-options'}, 'DENY', 'pages may not be framed');
like($r->{headers}{'content-security-policy'}, qr/default-src 'self'/, 'and load nothing from elsewhere');
$r = $adm->request('GET', '/api/nodes');
is($r->{code}, 401, 'anonymous /api/nodes: 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Basic/, 'asking for Basic credentials');
my $t0 = time();
$r = $adm->request('GET', '/api/nodes', user => 'pgpool', password => 'wrong');
is($r->{code}, 401, 'wrong password: 401');
cmp_ok(time() - $t0, '>=', 0.9, 'a failed login is slowed down');
$r = $adm->request('POST', '/api/reload', user => 'nobody', password => 'x');
is($r->{code}, 401, 'unknown user: 401');
$r = api('GET', '/api/nodes');
is($r->{code}, 200, 'Basic credentials of pcp.conf: 200');
is(scalar @{ $r->{json}{nodes} }, 2, 'both nodes listed');
is($r->{json}{nodes}[1]{port}, $node1->port, 'with their ports');

# --- pcp.conf editor: add a user (stored as md5), never shown ---------------------------
$r = api('GET', '/api/pcp-users');
is_deeply($r->{json}{users}, ['pgpool'], 'pcp.conf users listed');
unlike($r->{body}, qr/[0-9a-f]{32}/, 'without their md5');
$r = api('POST', '/api/pcp-users', json => { users => [{ name => 'pgpool' }, { name => 'admin' }] });
is($r->{code}, 400, 'a new user without a password is refused');
$r = api('POST', '/api/pcp-users', json => { users => [{ name => 'admin', password => $secret }] });
is($r->{code}, 400, 'removing the user making the change is refused');
$r = api('POST', '/api/pcp-users',
	json => { users => [{ name => 'pgpool' }, { name => 'admin', password => $secret }] });
is($r->{code}, 200, 'pcp.conf user added') or diag $r->{body};
like(slurp($pp->dir . '/pcp.conf'), qr/^admin:${\ md5_hex($secret)}$/m, 'stored as md5 like pg_md5');
like(slurp($pp->dir . '/pcp.conf'), qr/^pgpool:${\ md5_hex('pgpool')}$/m, 'the other user kept');

# --- session cookie and CSRF ---------------------------------------------------------
my $jar = $adm->dir . '/cookies';
$r = $adm->request('POST', '/login', json => { user => 'admin', password => 'nope' }, cookie => $jar);
is($r->{code}, 401, 'login with a wrong password: 401');
$r = $adm->request('POST', '/login', json => { user => 'admin', password => $secret }, cookie => $jar);
is($r->{code}, 200, 'login as the new user');
my $cookie = $r->{headers}{'set-cookie'} // '';
like($cookie, qr/HttpOnly/, 'session cookie is HttpOnly');
like($cookie, qr/SameSite=Strict/, 'and SameSite=Strict');
my $csrf = $r->{json}{csrf_token} // '';
like($csrf, qr/^[0-9a-f]{64}$/, 'login returns a CSRF token');
$r = $adm->request('GET', '/api/nodes', cookie => $jar);
is($r->{code}, 200, 'the cookie is enough to read');
$r = $adm->request('POST', '/api/reload', cookie => $jar);
is($r->{code}, 403, 'a change without the CSRF token: 403');
$r = $adm->request('POST', '/api/reload', cookie => $jar, headers => ['X-CSRF-Token: ' . ('0' x 64)]);
is($r->{code}, 403, 'a change with a wrong CSRF token: 403');
$r = $adm->request('POST', '/api/reload', cookie => $jar, headers => ["X-CSRF-Token: $csrf"]);
is($r->{code}, 200, 'with the token: done') or diag $r->{body};
$r = $adm->request('GET', '/api/session', cookie => $jar);
is($r->{json}{user}, 'admin', '/api/session says who is logged in');

# --- node actions seen through SHOW pool_nodes -------------------------------------------
like(node_status(1), qr/^(up|waiting)$/, 'node 1 up before');
$r = $adm->request('POST', '/api/nodes/1/detach', cookie => $jar, headers => ["X-CSRF-Token: $csrf"]);
is($r->{code}, 200, 'detach node 1 through the page session') or diag $r->{body};
ok(wait_until(sub { node_status(1) eq 'down' }, 20), 'SHOW pool_nodes: node 1 down');
$r = api('GET', '/metrics');
like($r->{body}, qr/^pgpool_backend_status\{node_id="1",hostname="127\.0\.0\.1",port="${\ $node1->port}",role="[a-z]+"\} 0$/m,
	'/metrics: node 1 status 0');
$r = api('POST', '/api/nodes/1/attach');
is($r->{code}, 200, 'attach node 1') or diag $r->{body};
ok(wait_until(sub { node_status(1) =~ /^(up|waiting)$/ }, 20), 'SHOW pool_nodes: node 1 back');
$r = api('POST', '/api/nodes/9/detach');
is($r->{code}, 409, 'unknown node: PCP BACKENDERR as 409');
like($r->{json}{error} // '', qr/node id 9 does not exist/, 'with the PCP message');
$r = api('POST', '/api/nodes/1/promote');
ok($r->{code} == 200 || $r->{code} == 409 || $r->{code} == 400, 'promote answers with PCP\'s verdict')
  or diag $r->{body};
$r = api('POST', '/api/nodes/1/recover');
ok($r->{code} >= 200 && defined $r->{json}, 'recover answers with PCP\'s verdict (JSON)') or diag $r->{body};
$r = api('POST', '/api/nodes/1/explode');
is($r->{code}, 404, 'unknown node action: 404');
$r = api('GET', '/api/nodes/1/detach');
is($r->{code}, 405, 'an action needs POST');
$r = api('POST', '/api/cache/clear');
is($r->{code}, 400, 'clearing the cache when it is off: refused (INVALERR)');

# --- status, processes, pools, log ----------------------------------------------------
$r = api('GET', '/api/status');
ok($r->{json}{pgpool_running}, '/api/status: running');
is($r->{json}{pid}, $pp->pid, 'with the pid of the pid file');
$pp->psql('select 1');
$r = api('GET', '/api/processes');
is(scalar @{ $r->{json}{processes} }, 4, '/api/processes: num_init_children entries');
$r = api('GET', '/api/pools');
is(scalar @{ $r->{json}{pools} }, 4 * 2 * 2, '/api/pools: children x max_pool x nodes');
$r = api('GET', '/api/log?lines=5');
ok(@{ $r->{json}{lines} } > 0 && @{ $r->{json}{lines} } <= 5, '/api/log: the last lines');
like(join("\n", @{ $r->{json}{lines} }), qr/detach|attach|reload|PCP/i, 'of pgpool\'s log');

# --- pgpool.conf editor -------------------------------------------------------------------
$r = api('GET', '/api/config');
my ($p) = grep { $_->{name} eq 'num_init_children' } @{ $r->{json}{params} };
is($p->{context}, 'restart', '/api/config: parameter context from the table');
is($p->{type}, 'integer', 'and type');
ok(length($p->{description}) > 5 && defined $p->{default}, 'description and default');
is($r->{json}{values}{health_check_password}{value}, '********', 'secrets masked');
unlike($r->{body}, qr/HcSecret42/, 'the password itself never appears');
my $before = slurp($pp->conf_file);
$r = api('POST', '/api/config', json => { changes => { num_init_children => 'lots' } });
is($r->{code}, 400, 'invalid value refused');
like($r->{body}, qr/num_init_children/, 'naming the parameter');
like($r->{json}{errors}[0]{message} // '', qr/invalid value for parameter "num_init_children"/i,
	'with the parser\'s error') or diag $r->{body};
$r = api('POST', '/api/config', json => { changes => { no_such_parameter => '1' } });
is($r->{code}, 400, 'unknown parameter refused');
$r = api('POST', '/api/config', json => { changes => { log_line_prefix => "x\nport = 1" } });
is($r->{code}, 400, 'a value with a newline refused');
is(slurp($pp->conf_file), $before, 'pgpool.conf unchanged by refused edits');
$r = api('POST', '/api/config', json => { changes => { client_idle_limit => '77', port => undef,
			memqcache_expire => '33' }, reload => JSON::PP::true });
is($r->{code}, 200, 'valid edit accepted') or diag $r->{body};
ok($r->{json}{reloaded}, 'and pgpool reloaded');
my $after = slurp($pp->conf_file);
like($after, qr/^client_idle_limit = 77$/m, 'value replaced in place');
like($after, qr/^#port = /m, 'reset parameter commented out');
like($after, qr/^memqcache_expire = 33$/m, 'new parameter added');
like($after, qr/^# comment kept by the editor$/m, 'comments kept');
is(slurp($pp->conf_file . '.bak'), $before, 'previous file kept as .bak');
ok(wait_until(sub { ($pp->psql('SHOW pool_status'))[1] =~ /^client_idle_limit\|77\|/m }, 20),
	'SHOW pool_status: the new value is live');
is_deeply([sort @{ $r->{json}{restart_required} }], ['memqcache_expire', 'port'],
	'restart-only parameters named');
$pp->set_conf(port => $pp->port, client_idle_limit => 0);    # harness view back in sync

# --- pool_hba.conf editor -------------------------------------------------------------------
$r = api('GET', '/api/hba');
like($r->{json}{text}, qr/host all all 127\.0\.0\.1\/32 trust/, '/api/hba: the file');
$r = api('POST', '/api/hba', json => { text => "host all all 127.0.0.1/32 bogus\n" });
is($r->{code}, 400, 'invalid pool_hba.conf refused');
like($r->{body}, qr/line 1/, 'with the parser\'s file:line error') or diag $r->{body};
$r = api('POST', '/api/hba', json => { text => join("\n", @PgpoolTest::Pgpool::DEFAULT_POOL_HBA,
			'host all all 10.0.0.0/8 md5') . "\n", reload => JSON::PP::true });
is($r->{code}, 200, 'valid pool_hba.conf written') or diag $r->{body};
like(slurp($pp->dir . '/pool_hba.conf'), qr/10\.0\.0\.0\/8 md5/, 'the file changed');

# --- /metrics, line by line -------------------------------------------------------------
$r = $adm->request('GET', '/metrics');
is($r->{code}, 200, '/metrics without login');
like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'Prometheus text format');
my (%types, %samples, $bad);
for my $l (split /\n/, $r->{body})
{
	if ($l =~ /^# (HELP|TYPE) ([a-z_:][a-z0-9_:]*) (.+)$/) { $types{$2} = $3 if $1 eq 'TYPE'; next; }
	if ($l =~ /^([a-z_:][a-z0-9_:]*)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN)$/)
	{
		$samples{$1}++;
		$bad //= "sample before its TYPE: $l" unless $types{$1};
		next;
	}
	$bad //= "bad line: $l";
}
ok(!defined $bad, 'every line is a comment or a sample') or diag $bad;
is($samples{pgpool_backend_status}, 2, 'one pgpool_backend_status per node');
is($samples{pgpool_up}, 1, 'pgpool_up');
ok($samples{$_}, "$_ present") for qw(pgpool_backend_select_total pgpool_backend_replication_delay_bytes
  pgpool_frontend_connections pgpool_pool_backend_connections pgpool_health_check_total
  pgpool_query_cache_enabled);
like($types{pgpool_backend_select_total}, qr/counter/, '_total names are counters');
$pp->psql('select 1') for 1 .. 3;
my ($sel) = $adm->request('GET', '/metrics')->{body} =~ /^pgpool_backend_select_total\{node_id="0"\} (\d+)/m;
my ($show) = ($pp->psql('SHOW pool_nodes'))[1] =~ /^0\|(?:[^|]*\|){7}(\d+)\|/m;
is($sel, $show, 'select count: the same as SHOW pool_nodes\' select_cnt');

{
	# the PCP command behind select counts and the cache's numbers, as a tool
	require PgpoolTest::Pcp;
	my ($rc, $out, $err) = PgpoolTest::Pcp->new($pp)->opts('pcp_stats');
	is($rc, 0, 'pcp_stats exits 0') or diag $err;
	like($out, qr/^select_count 0 \d+\nselect_count 1 \d+\ncache_enabled - 0\n\z/, 'pcp_stats: name node value lines');
}

# --- HTTPS ----------------------------------------------------------------------------------
{
	my $d = $adm->dir;
	my ($rc) = PgpoolTest::Util::run_cmd(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
		'-keyout', "$d/tls.key", '-out', "$d/tls.crt", '-days', '1', '-subj', '/CN=127.0.0.1']);
	my $tls = PgpoolTest::Admin->new($pp, name => 'admin-tls', tls_ca => "$d/tls.crt",
		args => ['--tls-cert', "$d/tls.crt", '--tls-key', "$d/tls.key"]);
	SKIP: {
		skip 'openssl could not make a certificate', 3 if $rc;
		ok($tls->start, 'pgpooladmin with --tls-cert/--tls-key starts');
		my $res = $tls->request('POST', '/login', json => { user => 'pgpool', password => 'pgpool' });
		is($res->{code}, 200, 'login over HTTPS (certificate verified)');
		like($res->{headers}{'set-cookie'} // '', qr/; Secure/, 'the cookie is Secure');
	}
	$tls->stop;
}

# --- hostile clients ------------------------------------------------------------------------
for my $path ('/static/../pgpool/pgpool.conf', '/static/%2e%2e/%2e%2e/etc/passwd', '/static/.hidden',
	'/static/app.js/../../x', '/../../etc/passwd')
{
	$r = $adm->request('GET', $path);
	is($r->{code}, 404, "path traversal $path: 404");
}
$r = $adm->request('GET', '/static/app.js');
is($r->{code}, 200, 'a real static file is served');
spew($adm->dir . '/big.json', '{"x":"' . ('a' x (2 * 1024 * 1024)) . '"}');
$r = $adm->request('POST', '/api/config', user => 'pgpool', password => 'pgpool',
	curl => ['-H', 'Content-Type: application/json', '--data-binary', '@' . $adm->dir . '/big.json']);
is($r->{code}, 413, 'oversized body: 413');
$r = $adm->request('GET', '/api/nodes', user => 'pgpool', password => 'pgpool',
	headers => ['X-Big: ' . ('b' x 60000)]);
ok($r->{code} == 431 || $r->{code} == 413 || $r->{code} == 400 || $r->{code} == 0,
	"oversized header refused ($r->{code})");
my @slow;
for (1 .. 10)
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $adm->port, Proto => 'tcp');
	print $s "GET /api/nodes HTTP/1.1\r\nHost: x\r\n" if $s;    # and never finish
	push @slow, $s if $s;
}
$t0 = time();
$r = api('GET', '/api/status');
is($r->{code}, 200, 'ten stalled clients: others still served');
cmp_ok(time() - $t0, '<', 5, 'promptly');
close $_ for @slow;
ok($adm->running, 'pgpooladmin survived all of it');

# --- stop and start ---------------------------------------------------------------------------
$r = api('POST', '/api/stop', json => { mode => 'sometime' });
is($r->{code}, 400, 'unknown shutdown mode refused');
$r = api('POST', '/api/start');
is($r->{code}, 409, 'start while running: 409');
$r = api('POST', '/api/stop', json => { mode => 'fast' });
is($r->{code}, 200, 'stop (fast)') or diag $r->{body};
ok(defined $pp->wait_exit(30), 'pgpool exited');
$r = api('GET', '/api/status');
ok(!$r->{json}{pgpool_running}, '/api/status: not running');
is(api('GET', '/api/nodes')->{code}, 502, 'PCP calls: 502 while pgpool is down');
$r = $adm->request('GET', '/metrics');
like($r->{body}, qr/^pgpool_up 0$/m, '/metrics: pgpool_up 0');
$r = api('POST', '/api/start');
is($r->{code}, 202, 'start pgpool with --pgpool-bin') or diag $r->{body};
ok(wait_until(sub { ($pp->psql('select 1'))[0] == 0 }, 30), 'pgpool accepts queries again');
ok(wait_until(sub { api('GET', '/api/status')->{json}{pgpool_running} }, 20), '/api/status: running');
$r = api('POST', '/api/stop', json => { mode => 'smart' });
is($r->{code}, 200, 'stop (smart)');
ok(wait_until(sub { !api('GET', '/api/status')->{json}{pgpool_running} }, 30), 'stopped again');

# --- no secret anywhere -----------------------------------------------------------------
my $all = join("\n", @answers, $adm->log_content);
for my $s ($secret, md5_hex($secret), md5_hex('pgpool'), 'HcSecret42')
{
	unlike($all, qr/\Q$s\E/, 'no password or md5 in answers or pgpooladmin\'s log');
}
like($adm->log_content, qr/user "admin": detach node 1/, 'actions are logged with the user');

done_testing();

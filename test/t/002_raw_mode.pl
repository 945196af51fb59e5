# Raw mode without connection cache: pgbench in every query mode, COPY,
# LISTEN/NOTIFY, cancel, per-node statement logging, and falling back to
# the next node when node 0 is unreachable.
use strict;
use warnings;
use Digest::MD5;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_bin pg_user free_port test_dir spew chown_test);

my $node = PgpoolTest::Node->new('node0')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { connection_cache => 'off', log_per_node_statement => 'on' });
ok($pp->start, 'pgpool starts in raw mode') or die "cannot continue";

{
	my ($rc, $out, $err) = $pp->psql('select 40 + 2', db => 'testdb');
	is($out, '42', 'psql through pgpool') or diag $err;
	($rc, $out, $err) = $pp->psql('select current_database(), current_user', db => 'testdb');
	is($out, 'testdb|' . pg_user(), 'database and user passed through');
	($rc, $out, $err) = $pp->psql('select * from no_such_table');
	isnt($rc, 0, 'an error is reported');
	like($err, qr/relation "no_such_table" does not exist/, 'with the backend\'s message');
}

# --- log_per_node_statement --------------------------------------------------
{
	my ($rc, $out, $err) = $pp->psql("select pg_backend_pid();\nselect 42;\n", script => 1);
	my ($bpid) = $out =~ /^(\d+)$/m;
	ok($bpid, 'got the backend pid') or diag $out . $err;
	ok($pp->wait_for_log(qr/DB node id: 0 backend pid: $bpid statement: select 42/, 10),
		'log_per_node_statement logs node, backend pid and statement')
	  or diag PgpoolTest::Util::tail_text($pp->log_content, 20);
}

# --- pgbench -----------------------------------------------------------------
sub pgbench_ok
{
	my ($p, $label) = @_;
	my ($rc, $out, $err) = $p->pgbench('-i', '-q', 'testdb');
	is($rc, 0, "$label: pgbench -i") or diag $err;
	for my $args (['-M', 'simple'], ['-M', 'extended'], ['-M', 'prepared'], ['-C'])
	{
		my $name = "$label: pgbench @$args";
		($rc, $out, $err) = $p->pgbench('-n', '-c', '4', '-j', '2', '-t', '200', @$args, 'testdb');
		is($rc, 0, "$name exits 0") or diag $out . $err;
		like($out, qr/number of transactions actually processed: 800\/800/, "$name processed 800/800");
		like($out, qr/number of failed transactions: 0 /, "$name: 0 failed transactions") or diag $out;
	}
}
pgbench_ok($pp, 'raw');

# --- COPY in and out of 100,000 rows -----------------------------------------
{
	my $dir = test_dir();
	my $in = "$dir/copy_in.tsv";
	my $data = join('', map { "$_\trow $_ é\t" . Digest::MD5::md5_hex($_) . "\n" } 1 .. 100_000);
	spew($in, $data);
	my $md5_in = Digest::MD5::md5_hex($data);
	$pp->psql('create table copy_t (id int, name text, h text)', db => 'testdb');
	my ($rc, $out, $err) = $pp->psql("\\copy copy_t from '$in'\n", db => 'testdb', script => 1);
	is($rc, 0, 'COPY FROM STDIN of 100000 rows') or diag $err;
	like($out, qr/COPY 100000/, 'server reports 100000 rows copied');
	my $sum = $node->query("select md5(string_agg(id || E'\\t' || name || E'\\t' || h || E'\\n', '' order by id)) from copy_t",
		db => 'testdb');
	is($sum, $md5_in, 'rows on the node match the input file');
	my $outf = "$dir/copy_out.tsv";
	($rc, $out, $err) = $pp->psql("\\copy (select * from copy_t order by id) to '$outf'\n",
		db => 'testdb', script => 1);
	is($rc, 0, 'COPY TO STDOUT of 100000 rows') or diag $err;
	is(Digest::MD5::md5_hex(PgpoolTest::Util::slurp($outf)), $md5_in, 'copied-out file is identical');
}

# --- LISTEN/NOTIFY between two sessions ---------------------------------------
{
	my $notify = join(' ', pg_bin('psql'), '-X', '-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(),
		'-d', 'testdb', '-c', qq{"NOTIFY test_chan, 'hello'"});
	my ($rc, $out, $err) = $pp->psql("LISTEN test_chan;\n\\! $notify\nSELECT 1;\n",
		db => 'testdb', script => 1);
	is($rc, 0, 'LISTEN session ran') or diag $err;
	like($out, qr/Asynchronous notification "test_chan" with payload "hello" received/,
		'notification from another session delivered');
}

# --- cancel ----------------------------------------------------------------
{
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, 'select pg_sleep(60)');
	ok($node->wait_active('pg_sleep(60)', 20), 'long query is running');
	$bg->signal('INT');
	my ($rc, $out, $err) = $bg->finish(10);
	ok(defined $rc && $rc != 0, 'cancelled psql ends with an error') or diag "rc " . ($rc // 'running');
	like($err, qr/canceling statement due to user request/, 'query cancelled through pgpool');
	my ($prc, $pout) = $pp->psql('select 1');
	is($pout, '1', 'pgpool serves after a cancel');
}

# --- node 0 unreachable: raw mode uses node 1 ---------------------------------
{
	my ($src) = $pp->stop('fast');
	is($src, 0, 'stop the first pgpool');
	my $dead_port = free_port();
	my $pf = PgpoolTest::Pgpool->new(name => 'failover', nodes => [$node],
		conf => { connection_cache => 'off', backend_hostname0 => '127.0.0.1',
			backend_port0 => $dead_port, backend_weight0 => 1,
			backend_hostname1 => '127.0.0.1', backend_port1 => $node->port,
			backend_weight1 => 1, backend_data_directory1 => $node->datadir });
	ok($pf->start, 'pgpool starts with node 0 down') or diag $pf->log_content;
	my ($rc, $out, $err) = $pf->psql('select inet_server_port()');
	is($out, $node->port, 'queries go to node 1') or diag $err;
}

done_testing();

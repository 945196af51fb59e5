# PgpoolTest::Node - one PostgreSQL 15 server for a test.
#
# Nodes are copies of a template data directory made by initdb once per uid
# (under an flock, so parallel prove jobs share it safely).  The template
# already has a database "testdb".  Each node listens on 127.0.0.1 on a free
# port with its unix socket in the test directory; it is stopped with
# "pg_ctl -m immediate" at exit, whatever happens to the test.
package PgpoolTest::Node;

use strict;
use warnings;
use Carp;
use Fcntl qw(:flock O_RDONLY O_CREAT);
use File::Path qw(remove_tree);
use PgpoolTest::Util qw(pg_bin test_user pg_user is_root run_cmd free_port wait_until
  test_dir slurp spew append_file chown_test tail_text on_cleanup);

our @DEFAULT_HBA = (
	'local all all trust',
	'host all all 127.0.0.1/32 trust',
	'host all all ::1/128 trust',
	'local replication all trust',
	'host replication all 127.0.0.1/32 trust',
);

# new($name, %opts): a node not yet created.  Options: port.
sub new
{
	my ($class, $name, %o) = @_;
	my $dir = test_dir();
	my $self = bless {
		name => $name,
		port => $o{port} // free_port(),
		host => '127.0.0.1',
		sockdir => $dir,
		datadir => "$dir/$name/data",
		logfile => "$dir/$name/postgresql.log",
		running => 0,
	}, $class;
	on_cleanup(sub { $self->teardown; });
	return $self;
}

sub name { $_[0]{name} }
sub port { $_[0]{port} }
sub host { $_[0]{host} }
sub datadir { $_[0]{datadir} }
sub logfile { $_[0]{logfile} }
sub log_content { slurp($_[0]{logfile}) }

sub _base_dir { my $self = shift; return test_dir() . "/$self->{name}"; }

sub _mkdir_owned
{
	my ($path) = @_;
	mkdir $path or croak "mkdir $path: $!" unless -d $path;
	chown_test($path);
}

# The cached template data directory (created once per uid and PG version).
sub template_dir
{
	my ($ver) = pg_bin() =~ m{/(\d+)/bin$};
	my $dir = "/tmp/pgpool-test-tmpl-$<-pg" . ($ver // 'x');
	sysopen(my $lk, "$dir.lock", O_RDONLY | O_CREAT, 0644) or croak "lock $dir: $!";
	flock($lk, LOCK_EX) or croak "flock: $!";
	_make_template($dir) unless -f "$dir/ready";
	close $lk;
	return "$dir/data";
}

sub _make_template
{
	my ($dir) = @_;
	remove_tree($dir);
	_mkdir_owned($dir);
	my ($rc, $out, $err) = run_cmd([pg_bin('initdb'), '-D', "$dir/data", '-A', 'trust',
		'-E', 'UTF8', '--locale=C', '--no-sync'], cwd => $dir);
	croak "initdb failed: $out$err" if $rc;
	my $port = free_port();
	($rc, $out, $err) = run_cmd([pg_bin('pg_ctl'), '-D', "$dir/data", '-w', '-t', '60',
		'-l', "$dir/tmpl.log", '-o', "-p $port -k $dir -c listen_addresses=''", 'start'],
		cwd => $dir);
	croak "template start failed: $out$err" . slurp("$dir/tmpl.log") if $rc;
	($rc, $out, $err) = run_cmd([pg_bin('psql'), '-X', '-h', $dir, '-p', $port, '-d',
		'postgres', '-c', 'CREATE DATABASE testdb'], cwd => $dir);
	my $create_err = $rc ? "$out$err" : '';
	run_cmd([pg_bin('pg_ctl'), '-D', "$dir/data", '-w', '-m', 'fast', 'stop'], cwd => $dir);
	croak "create testdb failed: $create_err" if $create_err;
	spew("$dir/ready", "ok\n");
}

# The settings every node gets, appended to postgresql.conf.
sub _node_conf
{
	my ($self) = @_;
	return join("\n",
		"", "# added by the pgpool test harness",
		"port = $self->{port}",
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = '$self->{sockdir}'",
		"fsync = off",
		"shared_buffers = 16MB",
		"max_connections = 100",
		"wal_level = replica",
		"max_wal_senders = 10",
		"max_replication_slots = 10",
		"wal_keep_size = 128MB",
		"hot_standby = on",
		"logging_collector = off",
		"log_line_prefix = '%m [%p] %q%u@%d '",
		"log_connections = on",
		"log_disconnections = on",
		"");
}

# init(%opts): copy the template.  Options: hba (arrayref of pg_hba lines
# replacing the trust defaults), conf (extra postgresql.conf text).
sub init
{
	my ($self, %o) = @_;
	my $tmpl = template_dir();
	_mkdir_owned($self->_base_dir);
	my ($rc, $out, $err) = run_cmd(['cp', '-a', $tmpl, $self->{datadir}]);
	croak "copy template: $out$err" if $rc;
	append_file("$self->{datadir}/postgresql.conf", $self->_node_conf . ($o{conf} // '') . "\n");
	$self->set_hba($o{hba} // \@DEFAULT_HBA);
	return $self;
}

# Replace pg_hba.conf (takes effect at start or reload()).
sub set_hba
{
	my ($self, $lines) = @_;
	spew("$self->{datadir}/pg_hba.conf", join("\n", @$lines) . "\n");
}

sub append_conf
{
	my ($self, $text) = @_;
	append_file("$self->{datadir}/postgresql.conf", "$text\n");
}

sub _pg_ctl
{
	my ($self, @args) = @_;
	return run_cmd([pg_bin('pg_ctl'), '-D', $self->{datadir}, @args], timeout => 120);
}

sub start
{
	my ($self) = @_;
	my ($rc, $out, $err) = $self->_pg_ctl('-w', '-t', '60', '-l', $self->{logfile}, 'start');
	croak "node $self->{name} failed to start: $out$err\n"
	  . tail_text($self->log_content, 30) if $rc;
	$self->{running} = 1;
	return $self;
}

sub stop
{
	my ($self, $mode) = @_;
	my ($rc, $out, $err) = $self->_pg_ctl('-w', '-t', '60', '-m', $mode // 'fast', 'stop');
	$self->{running} = 0;
	return $rc;
}

sub restart { my $self = shift; $self->stop('fast'); return $self->start; }
sub reload { my $self = shift; return ($self->_pg_ctl('reload'))[0]; }

sub teardown
{
	my ($self) = @_;
	return unless -f "$self->{datadir}/postmaster.pid";
	$self->_pg_ctl('-m', 'immediate', 'stop');
	$self->{running} = 0;
}

# psql($sql, %opts) on this node directly; see PgpoolTest::Util::psql_argv.
sub psql
{
	my ($self, $sql, %o) = @_;
	return PgpoolTest::Node::psql_at($self->{host}, $self->{port}, $sql, %o);
}

# Run psql against host:port.  Options: db (default postgres), user,
# script (feed $sql on stdin so meta-commands work), args (extra psql
# arguments), env, timeout.  Returns (exit code, stdout, stderr).
sub psql_at
{
	my ($host, $port, $sql, %o) = @_;
	my @cmd = (pg_bin('psql'), '-X', '-w', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', $host,
		'-p', $port, '-U', $o{user} // pg_user(), '-d', $o{db} // 'postgres',
		@{ $o{args} // [] });
	push @cmd, $o{script} ? ('-f', '-') : ('-c', $sql);
	my %env = (PGCONNECT_TIMEOUT => 10, %{ $o{env} // {} });
	my ($rc, $out, $err) = run_cmd(\@cmd, stdin => $o{script} ? $sql : '', env => \%env,
		timeout => $o{timeout} // 120);
	chomp $out;
	return ($rc, $out, $err);
}

# query($sql, %opts): stdout of a statement that must succeed (dies otherwise).
sub query
{
	my ($self, $sql, %o) = @_;
	my ($rc, $out, $err) = $self->psql($sql, %o);
	croak "query on $self->{name} failed ($rc): $sql\n$err" if $rc;
	return $out;
}

# create_user($name, %opts): a login role.  Options: password, encryption
# ('md5' or 'scram-sha-256', default scram), superuser.  Pair it with
# set_hba lines such as "host all $name 127.0.0.1/32 md5" and a reload.
sub create_user
{
	my ($self, $name, %o) = @_;
	my $sql = sprintf("SET password_encryption = '%s'; CREATE ROLE \"%s\" LOGIN%s",
		$o{encryption} // 'scram-sha-256', $name, $o{superuser} ? ' SUPERUSER' : '');
	if (defined $o{password})
	{
		(my $pw = $o{password}) =~ s/'/''/g;
		$sql .= " PASSWORD '$pw'";
	}
	return $self->query($sql);
}

# Make a streaming standby of this running node with pg_basebackup -R and
# start it; returns once it is in recovery and streaming.
sub create_standby
{
	my ($self, $name) = @_;
	my $sb = PgpoolTest::Node->new($name);
	_mkdir_owned($sb->_base_dir);
	my ($rc, $out, $err) = run_cmd([pg_bin('pg_basebackup'), '-h', $self->{host}, '-p',
		$self->{port}, '-U', pg_user(), '-D', $sb->{datadir}, '-R', '-X', 'stream',
		'-c', 'fast', '--no-sync'], timeout => 300);
	croak "pg_basebackup failed: $out$err" if $rc;
	$sb->append_conf("port = $sb->{port}");
	$sb->start;
	wait_until(sub { my ($r, $o) = $sb->psql('select pg_is_in_recovery()'); !$r && $o eq 't' }, 60)
	  or croak "standby $name is not in recovery";
	my $streaming = wait_until(sub {
		my ($r, $o) = $self->psql("select count(*) from pg_stat_replication where state = 'streaming'");
		!$r && $o >= 1 }, 60);
	croak "standby $name is not streaming" unless $streaming;
	return $sb;
}

# Wait until a backend of this node runs a statement whose text contains
# $text (pg_stat_activity, state active); returns its backend pid or 0.
sub wait_active
{
	my ($self, $text, $timeout) = @_;
	(my $lit = $text) =~ s/'/''/g;
	my $pid;
	wait_until(sub {
		my ($r, $o) = $self->psql("select pid from pg_stat_activity where state = 'active' "
			. "and pid <> pg_backend_pid() and strpos(query, '$lit') > 0 limit 1");
		$pid = $o if !$r && $o =~ /^\d+$/;
		return $pid; }, $timeout // 20);
	return $pid if $pid;
	my ($r, $o, $e) = $self->psql("select pid, state, backend_start, query_start, query "
		. "from pg_stat_activity where backend_type = 'client backend'");
	Test::More::diag("no active query containing '$text' on $self->{name}; pg_stat_activity:\n$o$e");
	return 0;
}

# Wait until a standby has replayed everything the primary had written.
sub wait_replay
{
	my ($self, $standby, $timeout) = @_;
	my $lsn = $self->query('select pg_current_wal_lsn()');
	return wait_until(sub {
		my ($r, $o) = $standby->psql("select pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn");
		!$r && $o eq 't' }, $timeout // 60);
}

1;

# PgpoolTest::Pgpool - one pgpool daemon (the binary built in this tree).
#
# Writes pgpool.conf (test defaults merged with the test's parameters),
# pcp.conf and pool_hba.conf into its own directory, runs
# "pgpool -n -f conf -F pcp.conf -a pool_hba.conf" in the background with
# its output in pgpool.log, and stops it at exit whatever happens.
package PgpoolTest::Pgpool;

use strict;
use warnings;
use Carp;
use Digest::MD5 qw(md5_hex);
use File::Copy qw(copy);
use PgpoolTest::Node;
use PgpoolTest::Util qw(pg_bin pgpool_bin pg_user is_root run_cmd spawn wait_pid kill_pid
  free_port wait_until test_dir slurp spew chown_test tail_text on_cleanup);

our @DEFAULT_POOL_HBA = (
	'local all all trust',
	'host all all 127.0.0.1/32 trust',
	'host all all ::1/128 trust',
);

# new(%opts): nodes (arrayref of PgpoolTest::Node), conf (hashref of
# parameters over the defaults; a scalar ref is written unquoted, undef
# drops a default), extra_conf (raw text appended), pool_hba (arrayref of
# lines), name (directory name, default "pgpool").
sub new
{
	my ($class, %o) = @_;
	my $name = $o{name} // 'pgpool';
	my $dir = test_dir() . "/$name";
	mkdir $dir unless -d $dir;
	chown_test($dir);
	my $self = bless {
		name => $name, dir => $dir, nodes => $o{nodes} // [],
		port => $o{port} // free_port(), pcp_port => $o{pcp_port} // free_port(),
		conf_file => "$dir/pgpool.conf", pcp_file => "$dir/pcp.conf",
		hba_file => "$dir/pool_hba.conf", logfile => "$dir/pgpool.log",
		pid_file => "$dir/pgpool.pid", extra_conf => $o{extra_conf} // '',
		pool_hba => $o{pool_hba} // \@DEFAULT_POOL_HBA, launched => undef,
	}, $class;
	$self->{conf} = { %{ $self->default_conf }, %{ $o{conf} // {} } };
	$self->{pid_file} = $self->{conf}{pid_file_name} if defined $self->{conf}{pid_file_name};
	on_cleanup(sub { $self->teardown; });
	return $self;
}

sub port { $_[0]{port} }
sub pcp_port { $_[0]{pcp_port} }
sub dir { $_[0]{dir} }
sub conf_file { $_[0]{conf_file} }
sub logfile { $_[0]{logfile} }
sub pid_file { $_[0]{pid_file} }
sub log_content { slurp($_[0]{logfile}) }
sub log_position { length(slurp($_[0]{logfile})) }

# Parameters every test pgpool gets unless the test overrides them.
sub default_conf
{
	my ($self) = @_;
	my %c = (
		listen_addresses => '127.0.0.1', port => $self->{port},
		socket_dir => $self->{dir}, pcp_listen_addresses => '127.0.0.1',
		pcp_port => $self->{pcp_port}, pcp_socket_dir => $self->{dir},
		pid_file_name => "$self->{dir}/pgpool.pid", logdir => $self->{dir},
		num_init_children => 4, max_pool => 2, backend_clustering_mode => 'raw',
		connection_cache => 'on', log_min_messages => 'info',
		health_check_period => 0, sr_check_period => 0,
	);
	my $i = 0;
	for my $n (@{ $self->{nodes} })
	{
		$c{"backend_hostname$i"} = '127.0.0.1';
		$c{"backend_port$i"} = $n->port;
		$c{"backend_weight$i"} = 1;
		$c{"backend_data_directory$i"} = $n->datadir;
		$i++;
	}
	return \%c;
}

sub _conf_value
{
	my ($v) = @_;
	return $$v if ref $v eq 'SCALAR';
	return $v if $v =~ /^-?\d+(\.\d+)?$/ || $v =~ /^(on|off|true|false)$/i;
	(my $q = $v) =~ s/'/''/g;
	return "'$q'";
}

# Set parameters (same rules as new's conf) and rewrite the files.
sub set_conf
{
	my ($self, %c) = @_;
	$self->{conf}{$_} = $c{$_} for keys %c;
	$self->write_files;
}

# Write pgpool.conf, pcp.conf and pool_hba.conf; remembers each
# parameter's line number (conf_line).
sub write_files
{
	my ($self) = @_;
	my @lines = ('# pgpool.conf written by the pgpool test harness');
	my %line_of;
	for my $k (sort keys %{ $self->{conf} })
	{
		my $v = $self->{conf}{$k};
		next unless defined $v;
		push @lines, "$k = " . _conf_value($v);
		$line_of{$k} = scalar @lines;
	}
	$self->{line_of} = \%line_of;
	spew($self->{conf_file}, join("\n", @lines) . "\n" . $self->{extra_conf});
	spew($self->{pcp_file}, "pgpool:" . md5_hex('pgpool') . "\n");
	spew($self->{hba_file}, join("\n", @{ $self->{pool_hba} }) . "\n");
}

# Line number of a parameter in the written pgpool.conf.
sub conf_line { my ($self, $k) = @_; return $self->{line_of}{$k}; }

# The binary, copied into the test dir when the test user cannot run it.
sub bin
{
	my ($self) = @_;
	return $self->{bin} if $self->{bin};
	my $bin = pgpool_bin();
	croak "pgpool binary not found at $bin (set PGPOOL_BUILDDIR)" unless -x $bin;
	my ($rc) = run_cmd(['test', '-x', $bin]);
	if ($rc)
	{
		my $copy = test_dir() . '/pgpool-bin';
		copy($bin, $copy) or croak "copy $bin: $!";
		chmod 0755, $copy;
		$bin = $copy;
	}
	return $self->{bin} = $bin;
}

# Launch pgpool in the background and wait until "select 1" works through
# it.  Returns 1 on success; on failure prints the log's tail and returns 0.
# Options: args (extra command-line arguments), timeout (default 20 s).
sub start
{
	my ($self, %o) = @_;
	$self->launch(%o);
	my $ok = wait_until(sub {
		return 1 if $self->_ready;
		return -1 if defined($self->{exit_code} //= wait_pid($self->{launched}, 0));
		return 0;
	}, $o{timeout} // 20);
	return 1 if $ok == 1;
	my $why = defined $self->{exit_code} ? "pgpool exited with code $self->{exit_code}"
	  : "pgpool did not accept queries in time";
	Test::More::diag("$why; log tail:\n" . tail_text($self->log_content, 40));
	return 0;
}

sub _ready
{
	my ($self) = @_;
	my ($rc) = $self->psql('select 1', timeout => 10, env => { PGCONNECT_TIMEOUT => 3 });
	return $rc == 0;
}

# Launch pgpool in the background without waiting for it to be ready.
sub launch
{
	my ($self, %o) = @_;
	$self->write_files unless $self->{line_of};
	my @cmd = ($self->bin, '-n', '-f', $self->{conf_file}, '-F', $self->{pcp_file},
		'-a', $self->{hba_file}, @{ $o{args} // [] });
	$self->{exit_code} = undef;
	$self->{launched} = spawn(\@cmd, stdout => $self->{logfile}, stderr => 'stdout',
		cwd => $self->{dir});
	return $self->{launched};
}

# Launch pgpool expecting it to exit by itself (bad configuration, pid file
# in use); returns its exit code, or undef if it is still running after
# $timeout seconds.
sub start_expect_exit
{
	my ($self, $timeout, %o) = @_;
	$self->launch(%o);
	return $self->{exit_code} = wait_pid($self->{launched}, $timeout // 20);
}

# True while the launched pgpool process has not exited.
sub running
{
	my ($self) = @_;
	return 0 unless $self->{launched};
	return 0 if defined($self->{exit_code} //= wait_pid($self->{launched}, 0));
	return 1;
}

# Exit code of the launched process once it exited (waits up to $timeout).
sub wait_exit
{
	my ($self, $timeout) = @_;
	return undef unless $self->{launched};
	$self->{exit_code} //= wait_pid($self->{launched}, $timeout // 30);
	return $self->{exit_code};
}

# Run "pgpool -f conf [args...] command" as the test user; returns (exit
# code, stdout, stderr), -1 after 90 s (cmd_timeout).  The daemon is our child, so we
# reap it meanwhile: a stop command that waits for its pid to vanish would
# otherwise wait forever for a zombie.
sub command
{
	my ($self, @args) = @_;
	my $base = "$self->{dir}/cmd-" . ++$self->{ncmd};
	my $pid = spawn([$self->bin, '-f', $self->{conf_file}, @args],
		stdout => "$base.out", stderr => "$base.err");
	my $rc;
	wait_until(sub {
		$self->running;
		return defined($rc = wait_pid($pid, 0));
	}, $self->{cmd_timeout} // 90);
	if (!defined $rc)
	{
		kill_pid('KILL', $pid);
		wait_pid($pid, 5);
		$rc = -1;
	}
	return ($rc, slurp("$base.out"), slurp("$base.err"));
}

# stop($mode): "pgpool -f conf -m mode stop", then wait for the process.
# Returns (exit code of the stop command, stdout, stderr).
sub stop
{
	my ($self, $mode) = @_;
	my @r = $self->command('-m', $mode // 'fast', 'stop');
	$self->wait_exit(60);
	return @r;
}

sub reload { my ($self) = @_; return $self->command('reload'); }

# The daemon's pid from its pid file.
sub pid
{
	my ($self) = @_;
	my ($pid) = slurp($self->{pid_file}) =~ /^\s*(\d+)/;
	return $pid;
}

# Pids of the parent's direct children; with a pattern, only those whose
# process title matches it.
sub child_pids
{
	my ($self, $re) = @_;
	my $pid = $self->pid or return ();
	my @kids = grep { /^\d+$/ } split /\s+/, `pgrep -P $pid`;
	return @kids unless $re;
	return grep { process_title($_) =~ $re } @kids;
}

# A process's title as ps shows it.
sub process_title
{
	my ($pid) = @_;
	my $t = `ps -o args= -p $pid`;
	chomp $t;
	return $t;
}

# Poll the log until it matches $re (only text after byte $from, if given).
sub wait_for_log
{
	my ($self, $re, $timeout, $from) = @_;
	return wait_until(sub { substr($self->log_content, $from // 0) =~ $re }, $timeout // 20);
}

# psql through pgpool's TCP port; same options as PgpoolTest::Node::psql_at.
sub psql
{
	my ($self, $sql, %o) = @_;
	return PgpoolTest::Node::psql_at('127.0.0.1', $self->{port}, $sql, %o);
}

# Run pgbench through pgpool: returns (exit code, stdout, stderr).
sub pgbench
{
	my ($self, @args) = @_;
	return run_cmd([pg_bin('pgbench'), '-h', '127.0.0.1', '-p', $self->{port}, '-U', pg_user(),
		@args], timeout => 600, env => { PGCONNECT_TIMEOUT => 10 });
}

# At exit: stop the daemon, then kill whatever is left of it (the launched
# process and its children, by pid).
sub teardown
{
	my ($self) = @_;
	return unless $self->{launched} && $self->running;
	my $pid = $self->{launched};
	my @kids = grep { /^\d+$/ } split /\s+/, `pgrep -P $pid`;
	local $self->{cmd_timeout} = 15;
	$self->command('-m', 'immediate', 'stop');
	$self->wait_exit(10);
	if ($self->running)
	{
		push @kids, grep { /^\d+$/ } split /\s+/, `pgrep -P $pid`;
		kill_pid('KILL', $pid);
		$self->wait_exit(5);
	}
	for my $k (@kids)
	{
		kill_pid('KILL', $k) if slurp("/proc/$k/cmdline") =~ /pgpool/;
	}
}

1;

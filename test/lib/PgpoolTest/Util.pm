# PgpoolTest::Util - process, user, port and file helpers for the TAP tests.
#
# PostgreSQL refuses to run as root, so when the tests run as root every
# server and client program runs as the unprivileged user "pgpooltest"
# (created on first use).  Privileges are dropped in the forked child right
# before exec, so the pid we get back is the program's own pid and signals
# reach it directly.  As a normal user, programs run as that user.
package PgpoolTest::Util;

use strict;
use warnings;
use Carp;
use Cwd qw(abs_path);
use Fcntl qw(:flock O_RDONLY O_CREAT);
use File::Basename qw(dirname);
use File::Path qw(remove_tree);
use File::Temp ();
use IO::Socket::INET;
use IPC::Run ();
use POSIX ();
use Test::More ();
use Time::HiRes qw(usleep time);
use Exporter 'import';

our @EXPORT_OK = qw(pg_extension_installed 
  pg_bin pgpool_bin test_user pg_user is_root as_test_user test_dir
  run_cmd spawn wait_pid kill_pid free_port wait_until
  slurp spew append_file chown_test tail_text on_cleanup
);

our $TEST_USER = 'pgpooltest';
my $OWNER_PID = $$;
my @cleanups;
my @port_locks;
my $test_dir;

# Directory holding initdb, pg_ctl, psql, pgbench (PostgreSQL 15 by default).
# pg_extension_installed($name): is the extension's control file in the
# share directory of the PostgreSQL the tests run (PG_CONFIG, else pg_bin's)?
sub pg_extension_installed
{
	my ($name) = @_;
	my $pg_config = $ENV{PG_CONFIG} // (-x pg_bin('pg_config') ? pg_bin('pg_config') : 'pg_config');
	my (undef, $sharedir) = run_cmd([$pg_config, '--sharedir']);
	chomp($sharedir //= '');
	return $sharedir ne '' && -f "$sharedir/extension/$name.control";
}

sub pg_bin
{
	my ($prog) = @_;
	my $dir = $ENV{PG_BINDIR} // '/usr/lib/postgresql/15/bin';
	return defined $prog ? "$dir/$prog" : $dir;
}

# The pgpool binary built in this tree.
sub pgpool_bin
{
	my $dir = $ENV{PGPOOL_BUILDDIR} // abs_path(dirname(__FILE__) . '/../../..');
	return "$dir/pgpool";
}

sub is_root { return $> == 0; }

# [uid, gid, name, home] of the user that runs PostgreSQL and pgpool.
sub test_user
{
	my $name = is_root() ? $TEST_USER : scalar getpwuid($>);
	my @pw = getpwnam($name);
	if (!@pw && is_root())
	{
		_create_test_user();
		@pw = getpwnam($name);
	}
	croak "unknown user $name" unless @pw;
	return { name => $name, uid => $pw[2], gid => $pw[3], home => $pw[7] };
}

# The database superuser name: initdb names it after the OS user.
sub pg_user { return test_user()->{name}; }

sub _create_test_user
{
	sysopen(my $lk, "/tmp/pgpool-test-useradd.lock", O_RDONLY | O_CREAT, 0644)
	  or croak "cannot open useradd lock: $!";
	flock($lk, LOCK_EX) or croak "flock: $!";
	if (!getpwnam($TEST_USER))
	{
		system('useradd', '-r', '-m', '-s', '/bin/bash', $TEST_USER) == 0
		  or croak "useradd $TEST_USER failed";
	}
	close $lk;
}

# Turn the current (forked) process into the test user; used right before
# exec.  A no-op when not root.
sub as_test_user
{
	my ($cwd) = @_;
	if (is_root())
	{
		my $u = test_user();
		POSIX::setgid($u->{gid}) or die "setgid: $!";
		$) = "$u->{gid} $u->{gid}";
		POSIX::setuid($u->{uid}) or die "setuid: $!";
		die "still root after setuid" if $> == 0 || $< == 0;
		@ENV{qw(HOME USER LOGNAME)} = ($u->{home}, $u->{name}, $u->{name});
	}
	chdir($cwd // $test_dir // '/') or chdir('/');
}

# Give a path to the test user (when root); the test user must own every
# file PostgreSQL or pgpool writes.
sub chown_test
{
	my (@paths) = @_;
	return unless is_root();
	my $u = test_user();
	chown $u->{uid}, $u->{gid}, @paths;
}

# The per-file temporary directory, owned by the test user.  Removed at the
# end when every test passed, kept (and its path printed) otherwise.
sub test_dir
{
	return $test_dir if defined $test_dir;
	my $base = $ENV{PGPOOL_TEST_TMPDIR} // '/tmp';
	$test_dir = File::Temp::tempdir("pgpool-t-XXXXXX", DIR => $base, CLEANUP => 0);
	chmod 0755, $test_dir;
	chown_test($test_dir);
	return $test_dir;
}

# Run a command as the test user and wait for it.  Options: stdin (string),
# timeout (seconds, default 180), env (hashref), cwd.  Returns
# (exit code, stdout, stderr); a timeout kills it and returns exit code -1.
#
# stdin comes from an unlinked temporary file, never from a pipe we write:
# a program may exit without reading its input (pcp_* -W when nothing
# listens, psql stopping at the first error), and writing the rest into
# that closed pipe would raise SIGPIPE here (killing the test) or, with
# SIGPIPE ignored, make IPC::Run die with EPIPE.
sub run_cmd
{
	my ($cmd, %o) = @_;
	my ($out, $err) = ('', '');
	my $in = _stdin_file($o{stdin});
	my $env = $o{env} // {};
	my $init = sub {
		exec_defaults();
		as_test_user($o{cwd});
		$ENV{$_} = $env->{$_} for keys %$env;
	};
	my $t = IPC::Run::timeout($o{timeout} // 180);
	my $h = eval { IPC::Run::start($cmd, init => $init, '<', $in, '>', \$out, '2>', \$err, $t) };
	return (-1, '', "cannot run $cmd->[0]: $@") unless $h;
	my $ok = eval { $h->finish; 1 };
	if (!$ok)
	{
		my $why = $@;
		eval { $h->kill_kill(grace => 2) };
		return (-1, $out, $err . "\n[run_cmd failed: $why]") unless $why =~ /timeout/i;
		return (-1, $out, $err . "\n[timed out after " . ($o{timeout} // 180) . " s]");
	}
	my $rc = $h->full_result(0);
	return ((($rc & 127) ? 128 + ($rc & 127) : $rc >> 8), $out, $err);
}

# A read handle positioned at the start of $text (an unlinked temporary
# file), or /dev/null for no input.
sub _stdin_file
{
	my ($text) = @_;
	return '/dev/null' unless defined $text && length $text;
	my $fh = File::Temp->new(TMPDIR => 1) or croak "stdin temp file: $!";
	binmode $fh;
	print $fh $text or croak "stdin temp file: $!";
	$fh->flush or croak "stdin temp file: $!";
	seek($fh, 0, 0) or croak "stdin temp file: $!";
	return $fh;
}

# In a forked child right before exec: undo what this process changed for
# itself.  An ignored signal stays ignored across exec, and programs (and
# the scripts pgpool or PostgreSQL run) must see SIGPIPE at its default.
sub exec_defaults
{
	$SIG{PIPE} = 'DEFAULT';
}

# Start a command in the background as the test user, in its own process
# group.  Options: stdin, stdout, stderr (file paths; stderr 'stdout' joins
# them), env, cwd, as_root (keep the current user: "ip netns exec" and
# commands that configure interfaces need root).  Returns its pid.
sub spawn
{
	my ($cmd, %o) = @_;
	my $pid = fork();
	croak "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		eval {
			POSIX::setpgid(0, 0);
			exec_defaults();
			open(STDIN, '<', $o{stdin} // '/dev/null') or die "stdin: $!";
			open(STDOUT, '>>', $o{stdout} // '/dev/null') or die "stdout: $!";
			if (($o{stderr} // '') eq 'stdout') { open(STDERR, '>&', \*STDOUT) or die "stderr: $!"; }
			else { open(STDERR, '>>', $o{stderr} // '/dev/null') or die "stderr: $!"; }
			if ($o{as_root}) { chdir($o{cwd} // '/'); }
			else { as_test_user($o{cwd}); }
			my $env = $o{env} // {};
			$ENV{$_} = $env->{$_} for keys %$env;
			exec(@$cmd) or die "exec $cmd->[0]: $!";
		};
		print STDERR $@;
		POSIX::_exit(127);
	}
	return $pid;
}

# Wait up to $timeout seconds for a spawned child; returns its exit code
# (128+signal when killed) or undef if it is still running.
sub wait_pid
{
	my ($pid, $timeout) = @_;
	my $end = time() + ($timeout // 0);
	while (1)
	{
		my $r = waitpid($pid, POSIX::WNOHANG());
		if ($r == $pid)
		{
			my $st = $?;
			return ($st & 127) ? 128 + ($st & 127) : $st >> 8;
		}
		return -1 if $r < 0;    # not our child or already reaped
		return undef if time() >= $end;
		usleep(50_000);
	}
}

# Send a signal to one pid (never by name).
sub kill_pid
{
	my ($sig, $pid) = @_;
	return 0 unless $pid && $pid > 1;
	return kill($sig, $pid);
}

# A TCP port free on 127.0.0.1 and not claimed by another running test (a
# lock file held until this process exits).
sub free_port
{
	my $lockdir = '/tmp/pgpool-test-ports';
	if (!-d $lockdir)
	{
		mkdir $lockdir;
		chmod 01777, $lockdir;
	}
	for (1 .. 500)
	{
		my $port = 15000 + int(rand(15000));
		sysopen(my $fh, "$lockdir/$port", O_RDONLY | O_CREAT, 0644) or next;
		if (!flock($fh, LOCK_EX | LOCK_NB)) { close $fh; next; }
		my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
			Proto => 'tcp', Listen => 1, ReuseAddr => 0);
		if (!$s) { close $fh; next; }
		close $s;
		push @port_locks, $fh;
		return $port;
	}
	croak "no free port found";
}

# Poll $cond every 100 ms until it returns true or $timeout seconds pass.
sub wait_until
{
	my ($cond, $timeout) = @_;
	my $end = time() + ($timeout // 30);
	while (1)
	{
		my $r = $cond->();
		return $r if $r;
		return 0 if time() >= $end;
		usleep(100_000);
	}
}

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	my $c = <$fh>;
	close $fh;
	return $c // '';
}

sub spew
{
	my ($path, $content) = @_;
	open(my $fh, '>', $path) or croak "cannot write $path: $!";
	print $fh $content;
	close $fh;
	chown_test($path);
}

sub append_file
{
	my ($path, $content) = @_;
	open(my $fh, '>>', $path) or croak "cannot append to $path: $!";
	print $fh $content;
	close $fh;
}

# Last $n lines of a text, for diagnostics.
sub tail_text
{
	my ($text, $n) = @_;
	my @l = split /\n/, $text // '';
	@l = @l[-$n .. -1] if @l > $n;
	return join("\n", @l);
}

# Register a sub run at exit (latest first), even when the test dies.
sub on_cleanup { push @cleanups, $_[0]; }

$SIG{INT} = $SIG{TERM} = sub { exit(1); };

# A peer that closed its end (a pgpool child that hung up, a program that
# exited without reading) must make a write fail with EPIPE, which the
# writers check, instead of killing the whole test file with SIGPIPE
# ("No plan found in TAP output").  Children get the default back before
# exec (exec_defaults).
$SIG{PIPE} = 'IGNORE';

END
{
	if ($$ == $OWNER_PID)
	{
		my $status = $?;
		while (my $c = pop @cleanups)
		{
			eval { $c->(); };
			print STDERR "cleanup: $@" if $@;
		}
		if (defined $test_dir)
		{
			my $passing = Test::More->builder->is_passing && $status == 0;
			if ($passing && !$ENV{PGPOOL_TEST_KEEP}) { remove_tree($test_dir); }
			else { Test::More::diag("test files kept in $test_dir"); }
		}
		$? = $status;
	}
}

1;

# PgpoolTest::Background - a client program running in the background with
# its output in files, for tests that act while a query runs (cancel, stop
# modes, clients that vanish, queueing for a free child).
package PgpoolTest::Background;

use strict;
use warnings;
use PgpoolTest::Util qw(pg_bin pg_user spawn wait_pid kill_pid test_dir slurp on_cleanup);

my $seq = 0;

# start(\@cmd, %opts): run the command as the test user (options: env).
sub start
{
	my ($class, $cmd, %o) = @_;
	$seq++;
	my $base = test_dir() . "/bg-$$-$seq";
	my $self = bless { out => "$base.out", err => "$base.err" }, $class;
	$self->{pid} = spawn($cmd, stdout => $self->{out}, stderr => $self->{err}, env => $o{env});
	on_cleanup(sub { $self->signal('KILL') if $self->running; $self->finish(2); });
	return $self;
}

# psql(host, port, sql, %opts): psql -X -A -t -v ON_ERROR_STOP=1 -c sql in
# the background (options: db, user).
sub psql
{
	my ($class, $host, $port, $sql, %o) = @_;
	return $class->start([pg_bin('psql'), '-X', '-w', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
		'-h', $host, '-p', $port, '-U', $o{user} // pg_user(), '-d', $o{db} // 'postgres',
		'-c', $sql], env => { PGCONNECT_TIMEOUT => 30, %{ $o{env} // {} } });
}

sub pid { $_[0]{pid} }

sub signal { my ($self, $sig) = @_; return kill_pid($sig, $self->{pid}); }

# True while the program runs.
sub running
{
	my ($self) = @_;
	return 0 if defined $self->{rc};
	$self->{rc} = wait_pid($self->{pid}, 0);
	return !defined $self->{rc};
}

# Wait up to $timeout seconds; returns (exit code or undef if still running,
# stdout, stderr).
sub finish
{
	my ($self, $timeout) = @_;
	$self->{rc} //= wait_pid($self->{pid}, $timeout // 30);
	my $out = slurp($self->{out});
	chomp $out;
	return ($self->{rc}, $out, slurp($self->{err}));
}

1;

# PgpoolTest::Pcp - run the pcp_* tools built in this tree against a test
# pgpool (PgpoolTest::Pgpool), in the manual's positional form or with
# pgpool-II 4.x options, as the test user.
#
#   my $pcp = PgpoolTest::Pcp->new($pgpool);
#   my ($rc, $out, $err) = $pcp->legacy('pcp_node_info', 0);     # 10 127.0.0.1 PORT pgpool pgpool 0
#   ($rc, $out, $err) = $pcp->opts('pcp_node_info', '-n', 0);    # -h 127.0.0.1 -p PORT -U pgpool -w
#   ($rc, $out, $err) = $pcp->run('pcp_node_count', @any_args);
package PgpoolTest::Pcp;

use strict;
use warnings;
use Carp;
use File::Basename qw(dirname);
use File::Copy qw(copy);
use PgpoolTest::Util qw(pgpool_bin run_cmd test_dir spew chown_test);

# new($pgpool, %opts): user and password (default pgpool/pgpool, what the
# harness writes into pcp.conf).  Writes a PCPPASSFILE for the option form.
sub new
{
	my ($class, $pp, %o) = @_;
	my $self = bless { pp => $pp, user => $o{user} // 'pgpool',
		password => $o{password} // 'pgpool', timeout => $o{timeout} // 10 }, $class;
	$self->{passfile} = test_dir() . "/pcppass";
	spew($self->{passfile}, "*:*:$self->{user}:$self->{password}\n");
	chmod 0600, $self->{passfile};
	chown_test($self->{passfile});
	return $self;
}

sub passfile { $_[0]{passfile} }

# Path of a tool (copied into the test directory when the test user cannot
# run the one in the build tree).
sub bin
{
	my ($self, $tool) = @_;
	return $self->{bins}{$tool} if $self->{bins}{$tool};
	my $bin = dirname(pgpool_bin()) . "/$tool";
	croak "$tool not found at $bin" unless -x $bin;
	my ($rc) = run_cmd(['test', '-x', $bin]);
	if ($rc)
	{
		my $copy = test_dir() . "/$tool";
		copy($bin, $copy) or croak "copy $bin: $!";
		chmod 0755, $copy;
		$bin = $copy;
	}
	return $self->{bins}{$tool} = $bin;
}

# run($tool, @args): returns (exit code, stdout, stderr).  A trailing
# hashref gives options: env (extra environment), timeout (default 60 s).
sub run
{
	my ($self, $tool, @args) = @_;
	my $o = ref $args[-1] eq 'HASH' ? pop @args : {};
	my %env = (PCPPASSFILE => $self->{passfile}, %{ $o->{env} // {} });
	return run_cmd([$self->bin($tool), @args], env => \%env, timeout => $o->{timeout} // 60);
}

# The manual's form: TIMEOUT HOST PORT USER PASSWORD [ARG].  Options (a
# leading hashref): timeout, host, port, user, password, flags (arrayref of
# options put before the positional arguments, e.g. ['--verbose']).
sub legacy
{
	my ($self, $tool, @rest) = @_;
	my $o = ref $rest[0] eq 'HASH' ? shift @rest : {};
	my @pos = ($o->{timeout} // $self->{timeout}, $o->{host} // '127.0.0.1',
		$o->{port} // $self->{pp}->pcp_port, $o->{user} // $self->{user},
		$o->{password} // $self->{password});
	return $self->run($tool, @{ $o->{flags} // [] }, @pos, @rest);
}

# pgpool-II 4.x options: -h 127.0.0.1 -p PORT -U USER -w, then @args.
sub opts
{
	my ($self, $tool, @args) = @_;
	return $self->run($tool, '-h', '127.0.0.1', '-p', $self->{pp}->pcp_port, '-U', $self->{user},
		'-w', @args);
}

1;

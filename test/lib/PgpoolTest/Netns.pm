# Network namespaces for tests that need more than loopback (watchdog
# virtual IPs, partitions).  Root only.  Every namespace made here is
# deleted at exit whatever happens, and traffic never leaves the
# namespaces: the host's own interfaces are never touched.
package PgpoolTest::Netns;
use strict;
use warnings;
use PgpoolTest::Util qw(on_cleanup);

# A new namespace called $name, its loopback up; undef if "ip netns" cannot.
sub create
{
	my ($class, $name) = @_;
	system("ip netns add $name >/dev/null 2>&1") == 0 or return undef;
	on_cleanup(sub { system("ip netns del $name >/dev/null 2>&1"); });
	my $self = bless { name => $name }, $class;
	$self->run('ip link set lo up');
	return $self;
}

sub name { return $_[0]->{name}; }

# Run a shell command inside the namespace, quietly; its exit status (0: success).
sub run
{
	my ($self, $cmd) = @_;
	return system("ip netns exec $self->{name} $cmd >/dev/null 2>&1");
}

# Run a shell command inside the namespace; its standard output ('' on failure).
sub capture
{
	my ($self, $cmd) = @_;
	my $out = `ip netns exec $self->{name} $cmd 2>/dev/null`;
	return $out // '';
}

# Does the namespace's interface $dev carry the IPv4 address $addr?
sub has_address
{
	my ($self, $dev, $addr) = @_;
	return $self->capture("ip -4 addr show dev $dev") =~ /\Q$addr\E\//;
}

# A pgpool run as root inside a namespace, reached by the harness through
# its UNIX socket (the file system is shared).  Which namespace: the
# netns_of callback given to make_cluster's class (see netns_for).
package PgpoolTest::NsPgpool;
use parent -norequire, 'PgpoolTest::Pgpool';

our $netns_of = sub { die 'PgpoolTest::NsPgpool: no namespace set' };

sub launch
{
	my ($self, %o) = @_;
	$self->write_files unless $self->{line_of};
	my @cmd = ('ip', 'netns', 'exec', $netns_of->($self)->name, $self->bin, '-n', '-f',
		$self->{conf_file}, '-F', $self->{pcp_file}, '-a', $self->{hba_file});
	$self->{exit_code} = undef;
	$self->{launched} = PgpoolTest::Util::spawn(\@cmd, stdout => $self->{logfile},
		stderr => 'stdout', cwd => $self->{dir}, as_root => 1);
	return $self->{launched};
}

sub psql
{
	my ($self, $sql, %o) = @_;
	return PgpoolTest::Node::psql_at($self->{dir}, $self->{port}, $sql, %o);
}

package PgpoolTest::Netns;

# Pgpools made by class PgpoolTest::NsPgpool run in the namespace $pick->($pgpool) returns.
sub netns_for
{
	my ($pick) = @_;
	$PgpoolTest::NsPgpool::netns_of = $pick;
	return 'PgpoolTest::NsPgpool';
}

1;

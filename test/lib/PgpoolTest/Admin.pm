# PgpoolTest::Admin - one pgpooladmin daemon (built in this tree) in front
# of a test pgpool (PgpoolTest::Pgpool), and curl to talk to it.
#
#   my $adm = PgpoolTest::Admin->new($pp, args => ['--pgpool-bin', $pp->bin]);
#   $adm->start or die;
#   my $res = $adm->request('GET', '/api/nodes', user => 'pgpool', password => 'pgpool');
#   $res->{code}, $res->{headers}{'content-type'}, $res->{body}, $res->{json}
package PgpoolTest::Admin;

use strict;
use warnings;
use Carp;
use File::Basename qw(dirname);
use File::Copy qw(copy);
use JSON::PP;
use PgpoolTest::Util qw(pgpool_bin run_cmd spawn wait_pid kill_pid free_port wait_until
  test_dir slurp spew chown_test tail_text on_cleanup);

# new($pgpool, %opts): args (extra pgpooladmin options), port, name (its
# directory, default "admin"), tls_ca (serve HTTPS: curl trusts this PEM).
sub new
{
	my ($class, $pp, %o) = @_;
	my $dir = test_dir() . '/' . ($o{name} // 'admin');
	mkdir $dir unless -d $dir;
	chown_test($dir);
	my $self = bless { pp => $pp, dir => $dir, port => $o{port} // free_port(),
		args => $o{args} // [], log => "$dir/pgpooladmin.log", ncurl => 0,
		tls_ca => $o{tls_ca} }, $class;
	$self->{passfile} = "$dir/pcppass";
	spew($self->{passfile}, "*:*:pgpool:pgpool\n");
	chmod 0600, $self->{passfile};
	chown_test($self->{passfile});
	on_cleanup(sub { $self->stop; });
	return $self;
}

sub port { $_[0]{port} }
sub dir { $_[0]{dir} }
sub url
{
	my ($self, $path) = @_;
	return ($self->{tls_ca} ? 'https' : 'http') . "://127.0.0.1:$self->{port}" . ($path // '');
}
sub log_content { slurp($_[0]{log}) }

# The page's files, copied where the test user can read them.
sub www_dir
{
	my ($self) = @_;
	my $src = ($ENV{PGPOOL_SRCDIR} // dirname(pgpool_bin())) . '/src/admin/www';
	my $dst = "$self->{dir}/www";
	mkdir $dst unless -d $dst;
	for my $f (glob("$src/*"))
	{
		(my $name = $f) =~ s{.*/}{};
		copy($f, "$dst/$name") or croak "copy $f: $!";
		chmod 0644, "$dst/$name";
	}
	chown_test($dst);
	return $dst;
}

sub bin
{
	my ($self) = @_;
	my $bin = dirname(pgpool_bin()) . '/pgpooladmin';
	croak "pgpooladmin not found at $bin" unless -x $bin;
	my ($rc) = run_cmd(['test', '-x', $bin]);
	if ($rc)
	{
		my $copy = test_dir() . '/pgpooladmin';
		copy($bin, $copy) or croak "copy $bin: $!";
		chmod 0755, $copy;
		$bin = $copy;
	}
	return $bin;
}

# Launch and wait until it answers HTTP; 1 on success.
sub start
{
	my ($self, %o) = @_;
	my $pp = $self->{pp};
	my @cmd = ($self->bin, '-f', $pp->conf_file, '-F', $pp->dir . '/pcp.conf',
		'-a', $pp->dir . '/pool_hba.conf', '--listen', "127.0.0.1:$self->{port}",
		'--www-dir', $self->www_dir, '--log-file', $pp->logfile, '--pcp-timeout', 5,
		@{ $self->{args} });
	$self->{pid} = spawn(\@cmd, stdout => $self->{log}, stderr => 'stdout',
		env => { PCPPASSFILE => $self->{passfile} });
	my $ok = wait_until(sub {
		return -1 if defined($self->{exit} //= wait_pid($self->{pid}, 0));
		return $self->request('GET', '/')->{code} == 200;
	}, 20);
	Test::More::diag("pgpooladmin did not start:\n" . tail_text($self->log_content, 20)) unless $ok == 1;
	return $ok == 1;
}

sub running
{
	my ($self) = @_;
	return 0 unless $self->{pid};
	return !defined($self->{exit} //= wait_pid($self->{pid}, 0));
}

sub stop
{
	my ($self) = @_;
	return unless $self->running;
	kill_pid('TERM', $self->{pid});
	$self->{exit} //= wait_pid($self->{pid}, 10);
	if (!defined $self->{exit})
	{
		kill_pid('KILL', $self->{pid});
		$self->{exit} = wait_pid($self->{pid}, 5);
	}
}

# request($method, $path, %o): user/password (HTTP Basic), cookie (jar
# file), json (body, encoded), body (raw), headers (arrayref), curl (extra
# args).  Returns {code, headers (lower-cased names), body, json}.
sub request
{
	my ($self, $method, $path, %o) = @_;
	my $base = "$self->{dir}/curl-" . ++$self->{ncurl};
	my @cmd = ('curl', '-s', '-S', '--max-time', $o{timeout} // 30, '-X', $method,
		'-D', "$base.h", '-o', "$base.b", '-w', '%{http_code}', '--path-as-is');
	push @cmd, '--cacert', $self->{tls_ca} if $self->{tls_ca};
	push @cmd, '-u', "$o{user}:$o{password}" if defined $o{user};
	push @cmd, '-b', $o{cookie}, '-c', $o{cookie} if $o{cookie};
	push @cmd, '-H', $_ for @{ $o{headers} // [] };
	my $body = $o{body};
	$body = encode_json($o{json}) if $o{json};
	if (defined $body)
	{
		spew("$base.in", $body);
		chown_test("$base.in");
		push @cmd, '-H', 'Content-Type: application/json', '--data-binary', "\@$base.in";
	}
	push @cmd, @{ $o{curl} // [] }, $self->url($path);
	my ($rc, $out, $err) = run_cmd(\@cmd, timeout => ($o{timeout} // 30) + 10, cwd => $self->{dir});
	my %h;
	for my $l (split /\r?\n/, slurp("$base.h"))
	{
		$h{ lc $1 } = $2 if $l =~ /^([\w-]+):\s*(.*)$/;
	}
	my $res = { code => ($out =~ /(\d{3})\s*$/ ? $1 + 0 : 0), headers => \%h,
		body => slurp("$base.b"), err => $err, rc => $rc };
	$res->{json} = eval { decode_json($res->{body}) } if ($h{'content-type'} // '') =~ /json/;
	unlink "$base.h", "$base.b", "$base.in";
	return $res;
}

# Basic-authenticated request as pgpool/pgpool.
sub api
{
	my ($self, $method, $path, %o) = @_;
	return $self->request($method, $path, user => 'pgpool', password => 'pgpool', %o);
}

1;

# PgpoolTest::Wire - raw frontend/backend protocol over a TCP socket, for
# tests that send what no well-behaved client would (garbage, huge lengths,
# protocol 2.0, unknown message types) or vanish mid-query.
package PgpoolTest::Wire;

use strict;
use warnings;
use Carp;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

# connect($port): a new connection to 127.0.0.1:$port (undef on failure).
sub connect
{
	my ($class, $port) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
		Proto => 'tcp', Timeout => 10) or return undef;
	binmode $sock;
	return bless { sock => $sock, buf => '' }, $class;
}

# Send raw bytes; false if the peer already closed.
sub send_raw
{
	my ($self, $bytes) = @_;
	local $SIG{PIPE} = 'IGNORE';
	return defined syswrite($self->{sock}, $bytes);
}

# Send one typed message (type byte, int32 length, payload).
sub send_msg
{
	my ($self, $type, $payload) = @_;
	$payload //= '';
	return $self->send_raw($type . pack('N', 4 + length $payload) . $payload);
}

# A protocol 3.0 startup packet for user/database.
sub startup_packet
{
	my ($user, $db) = @_;
	my $body = pack('N', 196608) . "user\0$user\0database\0$db\0\0";
	return pack('N', 4 + length $body) . $body;
}

# Half-close: tell the server we will send nothing more.
sub shutdown_write { my ($self) = @_; shutdown($self->{sock}, 1); }

sub close { my ($self) = @_; close($self->{sock}); }

# Read whatever arrives until EOF or $timeout seconds; returns
# (bytes, 'eof'|'timeout').
sub read_all
{
	my ($self, $timeout) = @_;
	my $end = time() + ($timeout // 10);
	my $sel = IO::Select->new($self->{sock});
	while (1)
	{
		my $left = $end - time();
		return ($self->{buf}, 'timeout') if $left <= 0;
		next unless $sel->can_read($left);
		my $n = sysread($self->{sock}, my $chunk, 65536);
		return ($self->{buf}, 'eof') if !$n;
		$self->{buf} .= $chunk;
	}
}

# Read one typed message: returns (type, payload), or () on EOF/timeout.
sub read_msg
{
	my ($self, $timeout) = @_;
	my $end = time() + ($timeout // 10);
	my $sel = IO::Select->new($self->{sock});
	while (1)
	{
		if (length($self->{buf}) >= 5)
		{
			my ($type, $len) = unpack('a N', $self->{buf});
			if (length($self->{buf}) >= 1 + $len)
			{
				my $payload = substr($self->{buf}, 5, $len - 4);
				substr($self->{buf}, 0, 1 + $len) = '';
				return ($type, $payload);
			}
		}
		my $left = $end - time();
		return () if $left <= 0 || !$sel->can_read($left);
		my $n = sysread($self->{sock}, my $chunk, 65536);
		return () if !$n;
		$self->{buf} .= $chunk;
	}
}

# Read messages until ReadyForQuery; returns the list of [type, payload]
# seen (the last is 'Z' on success).
sub read_until_ready
{
	my ($self, $timeout) = @_;
	my @msgs;
	while (my ($t, $p) = $self->read_msg($timeout))
	{
		push @msgs, [ $t, $p ];
		last if $t eq 'Z';
	}
	return @msgs;
}

# Log in with a trust-authenticated protocol 3.0 startup; true once
# ReadyForQuery arrived.
sub login
{
	my ($self, $user, $db) = @_;
	$self->send_raw(startup_packet($user, $db)) or return 0;
	my @m = $self->read_until_ready(15);
	return @m && $m[-1][0] eq 'Z';
}

# Text of an ErrorResponse payload: its M (message) field, or all fields.
sub error_text
{
	my ($payload) = @_;
	my %f = map { substr($_, 0, 1) => substr($_, 1) } grep { length } split /\0/, $payload;
	return $f{M} // join(' ', values %f);
}

1;

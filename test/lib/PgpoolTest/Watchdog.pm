# PgpoolTest::Watchdog - several pgpools on 127.0.0.1 forming one watchdog
# cluster: each has its own directory, ports (client, PCP, wd_port,
# heartbeat port) and pgpool_node_id file; pcp_watchdog_info reads their
# view.  Escalation and VIP commands append to files in the test directory
# instead of touching any interface.
#
#   my @pp = PgpoolTest::Watchdog::make_cluster(3, $node, priority => [2, 1, 1]);
#   my $states = PgpoolTest::Watchdog::states($pp[0]);   # { 0 => 'LEADER', ... }
package PgpoolTest::Watchdog;

use strict;
use warnings;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(free_port test_dir spew slurp chown_test);

# make_cluster($n, $pg_node, %o): $pg_node one PgpoolTest::Node or an
# arrayref of them; priority (arrayref), conf (hashref for every pgpool),
# each (arrayref of hashrefs: pgpool i's own parameters), class (a
# subclass of PgpoolTest::Pgpool to create), pool_hba (arrayref of
# lines), keepalive /
# deadtime (defaults 1 / 5).  Not started.
sub make_cluster
{
	my ($n, $node, %o) = @_;
	my $dir = test_dir();
	my @ports = map { { port => free_port(), pcp => free_port(), wd => free_port(), hb => free_port() } } 1 .. $n;
	my %members;
	for my $i (0 .. $n - 1)
	{
		$members{"hostname$i"} = '127.0.0.1';
		$members{"wd_port$i"} = $ports[$i]{wd};
		$members{"pgpool_port$i"} = $ports[$i]{port};
		$members{"heartbeat_hostname$i"} = '127.0.0.1';
		$members{"heartbeat_port$i"} = $ports[$i]{hb};
	}
	my @pp;
	for my $i (0 .. $n - 1)
	{
		my $name = "wd$i";
		my $pp = ($o{class} // 'PgpoolTest::Pgpool')->new(name => $name, nodes => ref $node eq 'ARRAY' ? $node : [$node],
			port => $ports[$i]{port}, pcp_port => $ports[$i]{pcp}, pool_hba => $o{pool_hba},
			conf => {
				%members,
				use_watchdog => 'on',
				wd_priority => $o{priority} ? $o{priority}[$i] : 1,
				wd_authkey => 'wd-test-key',
				wd_lifecheck_method => 'heartbeat',
				wd_heartbeat_keepalive => $o{keepalive} // 1,
				wd_heartbeat_deadtime => $o{deadtime} // 5,
				delegate_ip => '10.254.254.254',
				if_cmd_path => '/bin',
				if_up_cmd => "sh -c 'echo up $name \$_IP_\$ >> $dir/vip.log'",
				if_down_cmd => "sh -c 'echo down $name \$_IP_\$ >> $dir/vip.log'",
				arping_path => '/bin',
				arping_cmd => "true",
				wd_escalation_command => "echo $name >> $dir/escalation.log",
				wd_de_escalation_command => "echo $name >> $dir/de_escalation.log",
				wd_ipc_socket_dir => "$dir/$name",
				%{ $o{conf} // {} },
				%{ ($o{each} // [])->[$i] // {} },
			});
		spew($pp->dir . '/pgpool_node_id', "$i\n");
		chown_test($pp->dir . '/pgpool_node_id');
		push @pp, $pp;
	}
	return @pp;
}

# pcp_watchdog_info of one pgpool: (exit code, stdout, stderr).
sub info
{
	my ($pp, @args) = @_;
	return PgpoolTest::Pcp->new($pp)->opts('pcp_watchdog_info', @args);
}

# { node id => state name } as pgpool $pp sees the cluster (node ids from
# the ports), or undef when pcp_watchdog_info failed.
sub states
{
	my ($pp, $cluster) = @_;
	my ($rc, $out) = info($pp);
	return undef if $rc;
	my %by_port = map { $cluster->[$_]->port => $_ } 0 .. $#$cluster;
	my %s;
	for my $line (split /\n/, $out)
	{
		next unless $line =~ /^\S+:(\d+) Linux \S+ \S+ \d+ \d+ \d+ (.+?) \d+ \S+$/;
		$s{ $by_port{$1} } = $2 if defined $by_port{$1};
	}
	return \%s;
}

# Index of the one pgpool every live member agrees is LEADER (the others
# STANDBY), or undef.
sub agreed_leader
{
	my ($cluster, @live) = @_;
	my $leader;
	for my $i (@live)
	{
		my $s = states($cluster->[$i], $cluster) or return undef;
		my @l = grep { $s->{$_} eq 'LEADER' } @live;
		my @sb = grep { $s->{$_} eq 'STANDBY' } @live;
		return undef unless @l == 1 && @sb == @live - 1;
		return undef if defined $leader && $leader != $l[0];
		$leader = $l[0];
	}
	return $leader;
}

# Every process of a pgpool: the parent and its children.
sub pids
{
	my ($pp) = @_;
	my $pid = $pp->pid or return ();
	return ($pid, grep { /^\d+$/ } split /\s+/, `pgrep -P $pid`);
}

# Send a signal to the whole pgpool at once (KILL, STOP, CONT).
sub signal_all
{
	my ($pp, $sig) = @_;
	my @p = pids($pp);
	kill $sig, @p;
	return scalar @p;
}

# Status of backend node $id as pgpool $pp sees it (pcp_node_info):
# 'up', 'down', 'quarantine' (status 3 too) or undef.
sub backend_status
{
	my ($pp, $id) = @_;
	my ($rc, $out) = PgpoolTest::Pcp->new($pp)->opts('pcp_node_info', '-n', $id);
	return undef if $rc || $out !~ /^\S+ \d+ (\d+) \S+ (\S+)/;
	return $1 != 3 ? 'up' : $2 eq 'quarantine' ? 'quarantine' : 'down';
}

# Lines of a log file in the test directory.
sub log_lines
{
	my ($file) = @_;
	return split /\n/, slurp(test_dir() . "/$file");
}

1;

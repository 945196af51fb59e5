# The source layers of ARCHITECTURE.md: a folder of src/ includes only
# headers of its own layer or of lower ones (a higher layer passes a
# callback down instead).  Lowest first; the list is the contract.
use strict;
use warnings;
use Test::More;
use File::Find;
use File::Path qw(make_path);
use File::Temp qw(tempdir);

my @order = qw(utils protocol config auth pool router replication cache show session
  failover health recovery watchdog libpcp pcp tools admin main);
my %rank;
@rank{@order} = (0 .. $#order);

# Every "file includes a higher layer" under $src.
sub upward_includes
{
	my ($src) = @_;
	my @bad;
	find(sub {
		return unless /\.[ch]$/;
		my ($layer) = $File::Find::dir =~ m{/src/([a-z_]+)};
		return unless defined $layer && exists $rank{$layer};
		open(my $fh, '<', $_) or die "$File::Find::name: $!";
		while (my $line = <$fh>)
		{
			next unless $line =~ /^#include "([a-z_]+)\//;
			push @bad, "$File::Find::name includes $1/ (above $layer)"
			  if exists $rank{$1} && $rank{$1} > $rank{$layer};
		}
		close $fh;
	}, $src);
	return @bad;
}

my $src = ($ENV{PGPOOL_SRCDIR} // '.') . '/src';
ok(-d "$src/session", 'source tree found') or BAIL_OUT("no $src");
my @bad = upward_includes($src);
is(scalar @bad, 0, 'no folder includes a higher layer') or diag(join("\n", @bad));

# the check can fail: an upward include planted in a scratch tree is reported
my $scratch = tempdir(CLEANUP => 1) . '/src';
make_path("$scratch/utils", "$scratch/main");
open(my $fh, '>', "$scratch/utils/probe.c") or die $!;
print $fh "#include \"utils/log.h\"\n#include \"main/pgpool_main.h\"\n";
close $fh;
my @planted = upward_includes($scratch);
is(scalar @planted, 1, 'a utils/ file including main/ is reported');
done_testing();

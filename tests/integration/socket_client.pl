#!/usr/bin/perl
# Misbehaving Varlink clients for socket_limits.sh: many idle connections,
# a client that never reads its replies, one that trickles a request byte by
# byte, one that sends nothing. Usage: socket_client.pl SOCKET MODE ARGS...
#   hold N KEEP READY_FILE   open N connections, after 1.5 s print how many
#                            the daemon closed, keep KEEP open, touch
#                            READY_FILE, then sleep until killed
#   flood SECONDS            send Status calls without reading for SECONDS;
#                            print "sent=BYTES closed=0|1 stalled=0|1"
#   trickle DELAY_MS         send one Status call a byte every DELAY_MS, print the reply
#   idle LIMIT_S             connect, wait for the daemon to close; print the seconds
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Time::HiRes qw(time sleep);
use Errno qw(EAGAIN EWOULDBLOCK);

my ($path, $mode, @args) = @ARGV;
$| = 1;
$SIG{PIPE} = "IGNORE";  # a dropped connection is a write error, not death
my $status_call = qq({"method":"io.jobtrack.Jobs.Status"}\0);

sub connect_one {
  my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path);
  return $s;
}

sub is_closed {  # readable with EOF or an error
  my ($s) = @_;
  return 0 unless IO::Select->new($s)->can_read(0);
  my $got = sysread($s, my $buf, 65536);
  return !defined($got) || $got == 0;
}

if ($mode eq 'hold') {
  my ($n, $keep, $ready) = @args;
  my @socks;
  my $refused = 0;
  for (1 .. $n) {
    my $s = connect_one();
    if ($s) { push @socks, $s } else { $refused++ }
  }
  sleep 1.5;
  my @open = grep { !is_closed($_) } @socks;
  printf "open=%d closed=%d\n", scalar(@open), $n - scalar(@open);
  splice(@open, $keep) if @open > $keep;
  @socks = ();
  open(my $fh, '>', $ready) or die; close($fh);
  sleep 3600;
} elsif ($mode eq 'flood') {
  my ($seconds) = @args;
  my $s = connect_one() or die "connect: $!";
  $s->blocking(0);
  my $chunk = $status_call x 1000;
  my ($sent, $closed, $last_progress) = (0, 0, time);
  my $end = time + $seconds;
  while (time < $end) {
    my $w = syswrite($s, $chunk);
    if (defined $w) {
      $sent += $w;
      $last_progress = time if $w > 0;
      next;
    }
    if ($! == EAGAIN || $! == EWOULDBLOCK) { sleep 0.01; next }
    $closed = 1;
    last;
  }
  my $stalled = (time - $last_progress) > 1 ? 1 : 0;
  print "sent=$sent closed=$closed stalled=$stalled\n";
} elsif ($mode eq 'trickle') {
  my ($delay_ms) = @args;
  my $s = connect_one() or die "connect: $!";
  for my $byte (split //, $status_call) {
    syswrite($s, $byte) // die "write: $!";
    sleep $delay_ms / 1000;
  }
  local $/ = "\0";
  my $reply = <$s>;
  chomp $reply if defined $reply;
  print((defined $reply ? $reply : "<closed>"), "\n");
} elsif ($mode eq 'idle') {
  my ($limit) = @args;
  my $start = time;
  my $s = connect_one() or die "connect: $!";
  if (IO::Select->new($s)->can_read($limit)) {
    my $got = sysread($s, my $buf, 1);
    printf "%.1f\n", time - $start;
  } else {
    print "still-open\n";
  }
} else {
  die "unknown mode $mode";
}

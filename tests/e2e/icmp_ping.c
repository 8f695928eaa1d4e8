/* icmp_ping ADDR: one ICMP echo over an unprivileged ping socket
 * (SOCK_DGRAM, IPPROTO_ICMP), as iputils' ping does without CAP_NET_RAW;
 * busybox's ping only knows raw sockets. Exit 0 on a reply within 5 s.
 * Built static by the containerd CRI test and put in its image. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_in to = { .sin_family = AF_INET };
  struct icmphdr req = { .type = ICMP_ECHO }, rep;
  struct pollfd p;
  int fd;

  if (argc != 2 || inet_pton (AF_INET, argv[1], &to.sin_addr) != 1)
    {
      fprintf (stderr, "usage: icmp_ping IPV4-ADDRESS\n");
      return 2;
    }
  fd = socket (AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (fd < 0)
    {
      perror ("icmp_ping: ping socket (net.ipv4.ping_group_range)");
      return 1;
    }
  req.un.echo.sequence = htons (1);
  if (sendto (fd, &req, sizeof (req), 0, (struct sockaddr *) &to, sizeof (to)) < 0)
    {
      perror ("icmp_ping: sendto");
      return 1;
    }
  p = (struct pollfd){ .fd = fd, .events = POLLIN };
  if (poll (&p, 1, 5000) != 1 || recv (fd, &rep, sizeof (rep), 0) < (ssize_t) sizeof (rep)
      || rep.type != ICMP_ECHOREPLY)
    {
      fprintf (stderr, "icmp_ping: no echo reply from %s\n", argv[1]);
      return 1;
    }
  printf ("icmp_ping: echo reply from %s\n", argv[1]);
  return 0;
}

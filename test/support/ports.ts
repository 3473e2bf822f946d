/**
 * A port for a test server to listen on, picked at random below Linux's ephemeral range (32768–60999 by default,
 * /proc/sys/net/ipv4/ip_local_port_range): a port inside it can be taken by any outgoing connection of the machine (a
 * PostgreSQL client, a fetch) between the pick and the listen, which failed CI with EADDRINUSE. Below it only
 * listeners take ports, so a collision needs two tests to pick the same one.
 */
export function randomListenPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}

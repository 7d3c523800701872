#!/bin/sh
# Test "hosts" on one machine: network namespaces joined by veth pairs to a private bridge, so that traffic
# between a coordinator, Redis and workers crosses a real network stack instead of loopback.
#
#   scripts/netns-hosts.sh up   NAME COUNT [SUBNET]   # bridge NAME-br with SUBNET.1/24 in this namespace,
#                                                     # namespaces NAME-1..COUNT with SUBNET.(10+i)/24
#   scripts/netns-hosts.sh down NAME COUNT            # removes them again (what exists of them)
#   ip netns exec NAME-1 botswarm worker --queue redis://SUBNET.1:6379
#
# Needs root (or CAP_NET_ADMIN) and iproute2. NAME: at most 6 characters (interface names are short).
# SUBNET defaults to 10.231.0 (three octets); pick one that your network does not use.
set -eu

usage() {
  echo "usage: $0 up NAME COUNT [SUBNET] | down NAME COUNT" >&2
  exit 2
}
[ $# -ge 3 ] || usage
action=$1
name=$2
count=$3
subnet=${4:-10.231.0}
case $count in '' | *[!0-9]*) usage ;; esac
[ ${#name} -le 6 ] || { echo "$0: NAME must be at most 6 characters" >&2; exit 2; }
bridge="${name}-br"

down() {
  i=1
  while [ "$i" -le "$count" ]; do
    ip netns del "${name}-${i}" 2>/dev/null || true
    ip link del "${name}-h${i}" 2>/dev/null || true
    i=$((i + 1))
  done
  ip link del "$bridge" 2>/dev/null || true
}

case $action in
up)
  trap 'down' EXIT
  ip link add "$bridge" type bridge
  ip addr add "${subnet}.1/24" dev "$bridge"
  ip link set "$bridge" up
  i=1
  while [ "$i" -le "$count" ]; do
    ns="${name}-${i}"
    ip netns add "$ns"
    ip link add "${name}-h${i}" type veth peer name "${name}-n${i}"
    ip link set "${name}-h${i}" master "$bridge" up
    ip link set "${name}-n${i}" netns "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "${name}-n${i}" name eth0
    ip -n "$ns" addr add "${subnet}.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "${subnet}.1"
    i=$((i + 1))
  done
  trap - EXIT
  echo "bridge $bridge ${subnet}.1; hosts ${name}-1..${name}-${count} at ${subnet}.11.."
  ;;
down) down ;;
*) usage ;;
esac

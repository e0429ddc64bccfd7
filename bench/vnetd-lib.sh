# Shell helpers the bench scripts share for talking to vnetd and reading /proc; sourced, never run.

# A field of /proc/PID/status or smaps_rollup (sizes in KiB): kib VmRSS /proc/123/status
kib() { awk -v k="$1" '$1==k":" {print $2}' "$2" 2>/dev/null; }

# Percent-encoding as the control protocol reads it (Uri.EscapeDataString: unreserved characters kept).
urlencode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in [A-Za-z0-9._~-]) out+=$c ;; *) printf -v c '%%%02X' "'$c"; out+=$c ;; esac
  done
  printf '%s' "$out"
}

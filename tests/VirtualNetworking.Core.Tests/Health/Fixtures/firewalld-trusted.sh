# firewalld with the bridge in the trusted zone: `firewall-cmd --zone=trusted --add-interface=BRIDGE`.
TRUSTED=1 . "$(dirname "${BASH_SOURCE[0]}")/firewalld.sh"

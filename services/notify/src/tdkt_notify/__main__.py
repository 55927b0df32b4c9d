from tdkt_notify.service import main

main()

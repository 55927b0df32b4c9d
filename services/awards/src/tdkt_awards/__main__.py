from tdkt_awards.service import main

main()

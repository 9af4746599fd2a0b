-- GET one fixed path (wrk's own URL), reporting through report.lua.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

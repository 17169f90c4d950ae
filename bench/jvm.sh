# The JVM options the benches start Herald's jar with, sourced by each: those of the JVM image
# (src/main/docker/Dockerfile.jvm). The heap is what the image sizes under the deployment's 512Mi
# limit (MaxRAMPercentage=50); the collector and InlineSmallCode are the image's too (why:
# bench/RESULTS.md). JAVA_OPTS replaces them; JAVA_OPTS= (empty) gives the JVM's own defaults: G1
# on a machine of 2 cores and 2 GB or more, and a heap of a quarter of the machine's memory.
JAVA_OPTS=${JAVA_OPTS--Xmx256m -XX:+UseParallelGC -XX:InlineSmallCode=1000}

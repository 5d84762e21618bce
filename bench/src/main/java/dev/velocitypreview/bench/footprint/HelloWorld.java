package dev.velocitypreview.bench.footprint;

/** Scenario 11's floor: what starting a JVM that runs one line of a main takes, next to the runtime's start. */
public final class HelloWorld {

    private HelloWorld() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}

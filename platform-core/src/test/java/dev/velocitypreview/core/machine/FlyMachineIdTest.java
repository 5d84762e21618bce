package dev.velocitypreview.core.machine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlyMachineIdTest {

    @Test
    void acceptsIdsAsTheMachinesApiHandsThemOut() {
        assertThat(FlyMachineId.isValid("148ed193b95e89")).isTrue();
        assertThat(FlyMachineId.isValid("0e286064b18670")).isTrue();
    }

    @Test
    void refusesEveryOtherShape() {
        assertThat(FlyMachineId.isValid(null)).isFalse();
        assertThat(FlyMachineId.isValid("")).isFalse();
        assertThat(FlyMachineId.isValid("148ed193b95e8")).as("13 digits").isFalse();
        assertThat(FlyMachineId.isValid("148ed193b95e890")).as("15 digits").isFalse();
        assertThat(FlyMachineId.isValid("148ED193B95E89")).as("upper case").isFalse();
        assertThat(FlyMachineId.isValid("local-0a1b2c3d")).isFalse();
        assertThat(FlyMachineId.isValid("148ed193b95e8g")).isFalse();
        assertThat(FlyMachineId.isValid("../../apps/x1")).isFalse();
        assertThat(FlyMachineId.isValid("148ed193b95e89\n")).isFalse();
        assertThat(FlyMachineId.isValid("148ed193;app=x")).isFalse();
    }
}

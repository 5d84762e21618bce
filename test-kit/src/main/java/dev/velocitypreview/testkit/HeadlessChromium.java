package dev.velocitypreview.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through Debian's ChromeDriver: what a person sees of a preview. Both
 * come from the packages {@code chromium} and {@code chromium-driver} (`.ci/run` installs them); nothing is
 * downloaded at run time, so the driver and the browser are always the same version.
 *
 * <p>The flags keep Chromium off the network it would otherwise call home on (this machine's network is
 * closed, and refused connections slow every start) and let it run as root in a container.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Path BROWSER = Path.of(System.getProperty("velocity.chromium", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("velocity.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** @throws IllegalStateException naming what to install when the browser or its driver is missing */
    public static HeadlessChromium start() {
        for (Path required : new Path[] {BROWSER, DRIVER}) {
            if (!Files.isExecutable(required)) {
                throw new IllegalStateException(required + " is missing: browser tests need Debian's chromium and"
                        + " chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(BROWSER.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1024,768", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new HeadlessChromium(new ChromeDriver(service, options), profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Opens {@code url} in the current tab. */
    public void open(String url) {
        driver.get(url);
    }

    /**
     * The first element matching {@code css} whose text contains {@code text}, waiting up to {@code max}. An element
     * replaced while it is read (a hot update re-renders the page under the test) is looked for again.
     */
    public WebElement awaitText(String css, String text, Duration max) {
        return waiting(max).until(d -> d.findElements(By.cssSelector(css)).stream()
                .filter(element -> element.getText().contains(text)).findFirst().orElse(null));
    }

    /** The whole text of the first element matching {@code css} once it contains {@code text}, as it was then. */
    public String awaitTextOf(String css, String text, Duration max) {
        return waiting(max).until(d -> d.findElements(By.cssSelector(css)).stream().map(WebElement::getText)
                .filter(content -> content.contains(text)).findFirst().orElse(null));
    }

    private WebDriverWait waiting(Duration max) {
        WebDriverWait wait = new WebDriverWait(driver, max);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** A value the page's script keeps (a marker a reload would lose). */
    public Object script(String javaScript) {
        return driver.executeScript(javaScript);
    }

    /** Saves what the page looks like now to {@code file} (a PNG), creating its directory. */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path taken = driver.getScreenshotAs(OutputType.FILE).toPath();
            return Files.move(taken, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the screenshot " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}

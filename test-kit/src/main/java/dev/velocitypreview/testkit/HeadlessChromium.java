package dev.velocitypreview.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
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

    /** How much of a page's text and of each console line a failed wait shows, and how many console lines. */
    private static final int SHOWN_CHARS = 400;
    private static final int CONSOLE_LINES = 20;

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
        // the page's console goes into a failed wait's message: a module that failed to load says so only there
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
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
        wait.withMessage(this::whatThePageShows);
        return wait;
    }

    /**
     * What a person would report of a page that never showed what a wait looked for: where it is, its text, and
     * what its console said (the console is read once, so each failed wait shows what came since the last one).
     */
    private String whatThePageShows() {
        StringBuilder seen = new StringBuilder();
        try {
            seen.append("the page at ").append(driver.getCurrentUrl()).append(" shows \"")
                    .append(shortened(String.valueOf(driver.executeScript(
                            "return document.body ? document.body.innerText : document.documentElement.outerHTML"))))
                    .append('"');
            List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
            seen.append("; its console ").append(console.isEmpty() ? "said nothing" : "said:");
            console.stream().skip(Math.max(0, console.size() - CONSOLE_LINES))
                    .forEach(entry -> seen.append("\n  ").append(entry.getLevel()).append(' ')
                            .append(shortened(entry.getMessage())));
        } catch (RuntimeException e) {
            // the first line only: WebDriver's messages go on with build and capability details
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
            seen.append(" (the browser could not tell more: ").append(why).append(')');
        }
        return seen.toString();
    }

    private static String shortened(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= SHOWN_CHARS ? line : line.substring(0, SHOWN_CHARS) + "…";
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

package io.gatehouse.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through its chromedriver (packages {@code chromium} and
 * {@code chromium-driver}, which {@code ops/test} installs), with a profile of its own and
 * nothing that reaches past this machine. Screenshots go to {@code target/<folder>/}.
 */
public final class Chromium implements AutoCloseable {
  public static final Path BINARY = Path.of(System.getProperty("gatehouse.chromium", "/usr/bin/chromium"));
  public static final Path DRIVER = Path.of(System.getProperty("gatehouse.chromedriver", "/usr/bin/chromedriver"));

  public final ChromeDriver browser;
  public final WebDriverWait wait;
  public final Path profile;
  private final Path shots;

  /** @param extraArguments more of Chromium's switches (a host resolver rule, say) */
  public Chromium(Path profile, String shotsFolder, String... extraArguments) throws IOException {
    assertThat(BINARY).as("Chromium (apt-get install chromium chromium-driver)").isExecutable();
    assertThat(DRIVER).as("chromedriver (apt-get install chromium-driver)").isExecutable();
    this.profile = profile;
    this.shots = Path.of("target", shotsFolder);
    Files.createDirectories(shots);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    List<String> args = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--window-size=1400,1000", "--user-data-dir=" + profile));
    args.addAll(List.of(extraArguments));
    options.addArguments(args);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** Waits for the element; on a timeout the failure says what the page showed instead. */
  public WebElement visible(By by) {
    try {
      return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("no visible " + by + " at " + browser.getCurrentUrl() + "; the page shows: "
          + browser.findElement(By.tagName("body")).getText(), e);
    }
  }

  public void screenshot(String name) throws IOException {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The URLs of the profile's history, read from its SQLite file (a copy: Chromium holds the file open). */
  public List<String> history() throws IOException, InterruptedException {
    Path copy = Files.createTempFile(profile.getParent(), "history", ".sqlite");
    Files.copy(profile.resolve("Default").resolve("History"), copy, StandardCopyOption.REPLACE_EXISTING);
    Process p = new ProcessBuilder("/usr/bin/python3", "-c",
        "import sqlite3,sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute('select url from urls')]",
        copy.toString()).redirectErrorStream(true).start();
    List<String> urls = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    return urls;
  }

  @Override
  public void close() {
    browser.quit();
  }
}

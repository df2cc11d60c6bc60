// A customer journey and two decoded errors through the eko-onboarding-v1 jar
// (grpc-java blocking stub).
//
// Usage: java -cp JARS Journey ADDR SIM_ADMIN_URL
//   ADDR           gateway address (plaintext), e.g. 127.0.0.1:50051
//   SIM_ADMIN_URL  what `eko-gateway --dev` prints as "eko-gateway simulator on URL"
//
// Same steps as ../python/journey.py: GetCustomer -> OnboardCustomer ->
// VerifyCustomerOtp with the simulator's OTP; an invalid OnboardCustomer
// (ErrorInfo FIELD_INVALID + BadRequest); GetCustomer under an injected 429
// (ErrorInfo UPSTREAM_RATE_LIMITED + RetryInfo 3s). The channel carries the
// service config shipped in the jar (in/eko/onboarding/v1/grpc-service-config.json);
// every call also sets its own deadline.
import com.google.gson.Gson;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.type.Date;
import in.eko.onboarding.v1.GetCustomerRequest;
import in.eko.onboarding.v1.GetCustomerResponse;
import in.eko.onboarding.v1.NextStep;
import in.eko.onboarding.v1.OnboardCustomerRequest;
import in.eko.onboarding.v1.OnboardCustomerResponse;
import in.eko.onboarding.v1.OnboardingServiceGrpc;
import in.eko.onboarding.v1.VerifyCustomerOtpRequest;
import in.eko.onboarding.v1.VerifyCustomerOtpResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

public final class Journey {
  private static final String DOMAIN = "eko-onboarding-gateway";
  private static final long DEADLINE_S = 10;
  private static final Random RANDOM = new Random();
  private int failed = 0;

  /** A failed call's code and the details this example checks. */
  private static final class Decoded {
    Status.Code code;
    final List<String> reasons = new ArrayList<>();
    final TreeSet<String> fields = new TreeSet<>();
    final List<Long> retryDelays = new ArrayList<>();
  }

  private static Decoded decode(StatusRuntimeException e) throws InvalidProtocolBufferException {
    Decoded d = new Decoded();
    d.code = e.getStatus().getCode();
    com.google.rpc.Status st = StatusProto.fromThrowable(e); // grpc-status-details-bin
    if (st == null) return d;
    for (Any any : st.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        ErrorInfo info = any.unpack(ErrorInfo.class);
        System.out.printf("  ErrorInfo reason=%s domain=%s metadata=%s%n",
            info.getReason(), info.getDomain(), info.getMetadataMap());
        d.reasons.add(info.getReason() + "@" + info.getDomain());
      } else if (any.is(BadRequest.class)) {
        for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
          System.out.printf("  BadRequest %s: %s%n", v.getField(), v.getDescription());
          d.fields.add(v.getField());
        }
      } else if (any.is(RetryInfo.class)) {
        long seconds = any.unpack(RetryInfo.class).getRetryDelay().getSeconds();
        System.out.printf("  RetryInfo retry_delay=%ds%n", seconds);
        d.retryDelays.add(seconds);
      }
    }
    return d;
  }

  private void check(String name, boolean ok, String what) {
    System.out.printf("%s %s: %s%n", ok ? "PASS" : "FAIL", name, what);
    if (!ok) failed++;
  }

  /** A JSON request to the simulator's admin API (local: no proxy). */
  private static Map<?, ?> admin(String method, String url, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
    c.setRequestMethod(method);
    c.setConnectTimeout(5000);
    c.setReadTimeout(5000);
    if (body != null) {
      c.setDoOutput(true);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    try (InputStream in = c.getInputStream()) {
      return new Gson().fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.class);
    }
  }

  private static String newCustomerId() {
    return String.format("9%09d", RANDOM.nextInt(1_000_000_000));
  }

  private static Map<String, ?> serviceConfig() throws IOException {
    try (InputStream in = OnboardingServiceGrpc.class.getResourceAsStream(
        "/in/eko/onboarding/v1/grpc-service-config.json")) {
      @SuppressWarnings("unchecked")
      Map<String, ?> config = new Gson().fromJson(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.class);
      return config;
    }
  }

  private int run(String addr, String adminUrl) throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(addr).usePlaintext().proxyDetector(a -> null)
        .defaultServiceConfig(serviceConfig()).enableRetry().build();
    try {
      OnboardingServiceGrpc.OnboardingServiceBlockingStub stub = OnboardingServiceGrpc.newBlockingStub(channel);
      String customerId = newCustomerId();
      GetCustomerResponse got = stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
          .getCustomer(GetCustomerRequest.newBuilder().setCustomerId(customerId).build());
      check("1 GetCustomer", got.getNextStep() == NextStep.NEXT_STEP_ONBOARD_CUSTOMER,
          customerId + " -> " + got.getNextStep());

      OnboardCustomerResponse onboarded = stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
          .onboardCustomer(OnboardCustomerRequest.newBuilder().setCustomerId(customerId)
              .setName("Example Customer").setDob(Date.newBuilder().setYear(1990).setMonth(5).setDay(17))
              .addAllResidenceAddress(List.of("123 MG Road", "Bangalore", "Karnataka", "560001")).build());
      check("2 OnboardCustomer", onboarded.getNextStep() == NextStep.NEXT_STEP_VERIFY_CUSTOMER_OTP
          && !onboarded.getOtpRefId().isEmpty(), onboarded.getNextStep() + ", otp_ref_id " + onboarded.getOtpRefId());

      String otp = String.valueOf(admin("GET", adminUrl + "/otp?customer_id=" + customerId, null).get("otp"));
      VerifyCustomerOtpResponse verified = stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
          .verifyCustomerOtp(VerifyCustomerOtpRequest.newBuilder().setCustomerId(customerId).setOtp(otp)
              .setOtpRefId(onboarded.getOtpRefId()).build());
      check("3 VerifyCustomerOtp", verified.getNextStep() != NextStep.NEXT_STEP_UNSPECIFIED,
          "otp " + otp + " -> " + verified.getNextStep());

      try {
        stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS).onboardCustomer(OnboardCustomerRequest.newBuilder()
            .setCustomerId("12345").setName("Example Customer")
            .setDob(Date.newBuilder().setYear(2001).setMonth(2).setDay(30))
            .addAllResidenceAddress(List.of("123 MG Road", "Bangalore")).build());
        check("4 invalid OnboardCustomer", false, "succeeded");
      } catch (StatusRuntimeException e) {
        Decoded d = decode(e);
        check("4 invalid OnboardCustomer", d.code == Status.Code.INVALID_ARGUMENT
            && d.reasons.equals(List.of("FIELD_INVALID@" + DOMAIN))
            && d.fields.contains("customer_id") && d.fields.contains("dob"),
            d.code + " " + d.reasons + " on " + d.fields);
      }

      String limited = newCustomerId();
      admin("POST", adminUrl + "/faults", "{\"customer_id\":\"" + limited + "\",\"times\":-1,"
          + "\"http_status\":429,\"headers\":{\"Retry-After\":\"3\"},"
          + "\"body\":\"{\\\"message\\\":\\\"Too Many Requests\\\"}\"}");
      try {
        stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
            .getCustomer(GetCustomerRequest.newBuilder().setCustomerId(limited).build());
        check("5 rate-limited GetCustomer", false, "succeeded");
      } catch (StatusRuntimeException e) {
        Decoded d = decode(e);
        check("5 rate-limited GetCustomer", d.code == Status.Code.RESOURCE_EXHAUSTED
            && d.reasons.equals(List.of("UPSTREAM_RATE_LIMITED@" + DOMAIN)) && d.retryDelays.equals(List.of(3L)),
            d.code + " " + d.reasons + ", RetryInfo " + d.retryDelays);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.out.println("java: " + (failed == 0 ? "OK" : failed + " step(s) FAILED"));
    return failed == 0 ? 0 : 1;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java Journey ADDR SIM_ADMIN_URL");
      System.exit(2);
    }
    System.exit(new Journey().run(args[0], args[1].replaceAll("/$", "")));
  }
}

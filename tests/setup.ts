import '../src/polyfill';
// Keep the AWS SDK's Node-version notice out of test output.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

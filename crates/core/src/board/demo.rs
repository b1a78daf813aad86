pub async fn seed() {}
